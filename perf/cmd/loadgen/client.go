package main

import (
	"bufio"
	"fmt"
	"net"
	"time"
)

// httpConn sends one prepared GET at a time on a connection it keeps open
// between requests while the server allows, or on a new connection for every
// request when closeEach is set. It belongs to one worker.
type httpConn struct {
	addr      string
	request   []byte // the whole request, written with one write
	closeEach bool
	conn      net.Conn      // nil when not connected
	br        *bufio.Reader // reads conn; allocated once
}

// newHTTPConn prepares requests for path on host (the Host header), sent to
// addr.
func newHTTPConn(addr, host, path string, closeEach bool) *httpConn {
	req := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: hitless-loadgen\r\n", path, host)
	if closeEach {
		req += "Connection: close\r\n"
	}
	req += "\r\n"
	return &httpConn{addr: addr, request: []byte(req), closeEach: closeEach, br: bufio.NewReaderSize(nil, 4096)}
}

// exchange connects if needed, sends the request and reads the response. On
// any error, and after a response that ends the connection, it closes the
// connection; the next exchange opens a new one.
func (h *httpConn) exchange(deadline time.Time) (int, error) {
	if h.conn == nil {
		d := net.Dialer{Deadline: deadline}
		c, err := d.Dial("tcp", h.addr)
		if err != nil {
			return 0, err
		}
		h.conn = c
		h.br.Reset(c)
	}
	if err := h.conn.SetDeadline(deadline); err != nil {
		h.close()
		return 0, err
	}
	if _, err := h.conn.Write(h.request); err != nil {
		h.close()
		return 0, fmt.Errorf("write: %w", err)
	}
	resp, err := readResponse(h.br)
	if err != nil {
		h.close()
		return 0, fmt.Errorf("read response: %w", err)
	}
	if resp.close || h.closeEach {
		h.close()
	}
	return resp.status, nil
}

// close closes the connection, if any.
func (h *httpConn) close() {
	if h.conn != nil {
		h.conn.Close()
		h.conn = nil
	}
}
