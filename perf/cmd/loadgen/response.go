package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// errMalformed marks a response the parser rejects.
var errMalformed = errors.New("loadgen: malformed response")

// response is what the generator keeps of an HTTP/1.x response.
type response struct {
	status int
	close  bool // the connection cannot carry another request
}

// readResponse reads one whole response to a GET from br and discards its
// body. Interim 1xx responses are skipped (101 is an error: nothing asks to
// switch protocols). The body is delimited as RFC 9112 section 6.3 says for
// a response: none for 204 and 304, chunked when Transfer-Encoding ends in
// chunked, else up to the connection's end when Transfer-Encoding is present,
// else Content-Length, else up to the connection's end. A line longer than
// br's buffer is an error. It returns io.EOF if br ends before the first
// byte, io.ErrUnexpectedEOF if it ends inside the response, and wraps
// errMalformed for anything it cannot parse.
func readResponse(br *bufio.Reader) (response, error) {
	for first := true; ; first = false {
		h, err := readHead(br, first)
		if err != nil {
			return response{}, err
		}
		switch {
		case h.status == 101:
			return response{}, fmt.Errorf("%w: unexpected 101", errMalformed)
		case h.status < 200:
			continue
		case h.status == 204 || h.status == 304:
			return h.response, nil
		case h.chunked:
			return h.response, discardChunked(br)
		case h.transferEncoding || h.length < 0:
			_, err := io.Copy(io.Discard, br)
			h.close = true
			return h.response, err
		default:
			_, err := br.Discard(int(h.length))
			return h.response, unexpected(err)
		}
	}
}

// head is a parsed status line and header section.
type head struct {
	response
	length           int64 // Content-Length, -1 if absent
	chunked          bool  // Transfer-Encoding ends in chunked
	transferEncoding bool  // Transfer-Encoding is present
}

// readHead parses a status line and the header fields up to the empty line.
// first says whether an EOF before any byte is a clean io.EOF.
func readHead(br *bufio.Reader, first bool) (head, error) {
	h := head{length: -1}
	line, err := readLine(br)
	if err != nil {
		if err == io.EOF && !first {
			err = io.ErrUnexpectedEOF
		}
		return h, err
	}
	// "HTTP/1.x SSS[ reason]"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || (line[7] != '0' && line[7] != '1') ||
		line[8] != ' ' || (len(line) > 12 && line[12] != ' ') {
		return h, fmt.Errorf("%w: status line %.40q", errMalformed, line)
	}
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return h, fmt.Errorf("%w: status line %.40q", errMalformed, line)
		}
		h.status = h.status*10 + int(c-'0')
	}
	if h.status < 100 {
		return h, fmt.Errorf("%w: status line %.40q", errMalformed, line)
	}
	http10 := line[7] == '0'
	keepAlive := false
	for {
		line, err := readLine(br)
		if err != nil {
			return h, unexpected(err)
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(name) == 0 {
			return h, fmt.Errorf("%w: header line %.40q", errMalformed, line)
		}
		value = bytes.Trim(value, " \t")
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := parseLength(value)
			if err != nil || (h.length >= 0 && n != h.length) {
				return h, fmt.Errorf("%w: Content-Length %.40q", errMalformed, value)
			}
			h.length = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			h.transferEncoding = true
			codings := bytes.Split(value, []byte(","))
			h.chunked = bytes.EqualFold(bytes.Trim(codings[len(codings)-1], " \t"), []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			for tok := range bytes.SplitSeq(value, []byte(",")) {
				tok = bytes.Trim(tok, " \t")
				h.close = h.close || bytes.EqualFold(tok, []byte("close"))
				keepAlive = keepAlive || bytes.EqualFold(tok, []byte("keep-alive"))
			}
		}
	}
	if http10 && !keepAlive {
		h.close = true
	}
	return h, nil
}

// parseLength parses a Content-Length value: decimal digits, or a list of
// identical ones ("3, 3").
func parseLength(v []byte) (int64, error) {
	var n int64 = -1
	for part := range bytes.SplitSeq(v, []byte(",")) {
		part = bytes.Trim(part, " \t")
		if len(part) == 0 || len(part) > 18 {
			return 0, errMalformed
		}
		var m int64
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, errMalformed
			}
			m = m*10 + int64(c-'0')
		}
		if n >= 0 && m != n {
			return 0, errMalformed
		}
		n = m
	}
	return n, nil
}

// discardChunked reads a chunked body and its trailer section.
func discardChunked(br *bufio.Reader) error {
	for {
		line, err := readLine(br)
		if err != nil {
			return unexpected(err)
		}
		size, _, _ := bytes.Cut(line, []byte(";"))
		size = bytes.Trim(size, " \t")
		if len(size) == 0 || len(size) > 15 {
			return fmt.Errorf("%w: chunk size %.40q", errMalformed, line)
		}
		var n int
		for _, c := range size {
			switch {
			case c >= '0' && c <= '9':
				n = n<<4 | int(c-'0')
			case c >= 'a' && c <= 'f':
				n = n<<4 | int(c-'a'+10)
			case c >= 'A' && c <= 'F':
				n = n<<4 | int(c-'A'+10)
			default:
				return fmt.Errorf("%w: chunk size %.40q", errMalformed, line)
			}
		}
		if n == 0 {
			break
		}
		if _, err := br.Discard(n); err != nil {
			return unexpected(err)
		}
		if line, err := readLine(br); err != nil {
			return unexpected(err)
		} else if len(line) != 0 {
			return fmt.Errorf("%w: chunk not followed by CRLF", errMalformed)
		}
	}
	for { // trailer section
		line, err := readLine(br)
		if err != nil {
			return unexpected(err)
		}
		if len(line) == 0 {
			return nil
		}
	}
}

// readLine returns the next line without its LF or CRLF. The slice is valid
// until the next read from br. It returns io.EOF only at a clean end, before
// any byte of the line.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	switch {
	case err == bufio.ErrBufferFull:
		return nil, fmt.Errorf("%w: line longer than %d bytes", errMalformed, br.Size())
	case err == io.EOF && len(line) > 0:
		return nil, io.ErrUnexpectedEOF
	case err != nil:
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// unexpected turns an EOF inside a response into io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
