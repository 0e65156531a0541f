package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The load-balancing differential test: the same configuration and the
// same connection sequence through HAProxy 2.6 and through hitless, one
// thread each, and the same per-server distribution from both.

// namedServers starts n loopback servers that send their name on accept
// and hold the connection until the client closes it.
func namedServers(t *testing.T, n int) []string {
	t.Helper()
	addrs := make([]string, n)
	for i := range addrs {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		name := fmt.Sprintf("s%d\n", i+1)
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					c.Write([]byte(name))
					io.Copy(io.Discard, c)
				}()
			}
		}()
		addrs[i] = ln.Addr().String()
	}
	return addrs
}

// runProxy starts bin (haproxy or hitless) in the foreground on cfg and
// returns once its listener on port is in the kernel's LISTEN state (a
// probe connection would itself be balanced and skew the counts).
func runProxy(t *testing.T, bin, cfg string, port int) {
	t.Helper()
	file := writeFile(t, "lb-"+strconv.Itoa(port)+".cfg", cfg)
	cmd := exec.Command(bin, "-db", "-f", file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for !listening(port) {
		select {
		case <-done:
			t.Fatalf("%s exited: %s", bin, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never listened on %d: %s", bin, port, stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// listening reports whether a TCP socket listens on 127.0.0.1:port.
func listening(port int) bool {
	b, err := os.ReadFile("/proc/net/tcp")
	if err != nil {
		return false
	}
	want := fmt.Sprintf("0100007F:%04X", port)
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 3 && f[1] == want && f[3] == "0A" {
			return true
		}
	}
	return false
}

// lbClient opens connections through a proxy and tells which server
// answered each.
type lbClient struct {
	t    *testing.T
	addr string
	held []net.Conn
}

// open connects (from src if not empty), reads the server's name and
// keeps the connection open when hold is set.
func (c *lbClient) open(src string, hold bool) string {
	c.t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second}
	if src != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(src)}
	}
	conn, err := d.Dial("tcp4", c.addr)
	if err != nil {
		c.t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		c.t.Fatalf("no server name through the proxy: %v", err)
	}
	if hold {
		c.held = append(c.held, conn)
	} else {
		conn.Close()
	}
	return strings.TrimSpace(line)
}

func (c *lbClient) closeAll() {
	for _, h := range c.held {
		h.Close()
	}
	c.held = nil
}

// lbScenario is one algorithm's configuration and connection sequence;
// run returns the observations to compare.
type lbScenario struct {
	name    string
	balance string
	servers []string // per-server keywords after the address
	run     func(c *lbClient, settle func(int)) string
}

func counts(names []string) string {
	m := map[string]int{}
	for _, n := range names {
		m[n]++
	}
	var b strings.Builder
	for i := 1; i <= 8; i++ {
		if k := m[fmt.Sprintf("s%d", i)]; k > 0 {
			fmt.Fprintf(&b, "s%d=%d ", i, k)
		}
	}
	return strings.TrimSpace(b.String())
}

// sequential70 opens 70 connections one after another (ten rounds of the
// weights 1/2/3/1) and returns the per-server counts.
func sequential70(c *lbClient, _ func(int)) string {
	var got []string
	for i := 0; i < 70; i++ {
		got = append(got, c.open("", false))
	}
	return counts(got)
}

var lbScenarios = []lbScenario{
	{
		name: "roundrobin", balance: "roundrobin",
		servers: []string{"weight 1", "weight 2", "weight 3", "weight 1"},
		run:     sequential70,
	},
	{
		name: "static-rr", balance: "static-rr",
		servers: []string{"weight 1", "weight 2", "weight 3", "weight 1"},
		run:     sequential70,
	},
	{
		name: "first", balance: "first",
		servers: []string{"maxconn 2", "maxconn 2", "maxconn 2", "maxconn 2"},
		run: func(c *lbClient, settle func(int)) string {
			// Held connections fill the servers in id order.
			var seq []string
			for i := 0; i < 7; i++ {
				seq = append(seq, c.open("", true))
			}
			c.closeAll()
			settle(0)
			// Once they are gone, the first server takes the next ones.
			seq = append(seq, "|", c.open("", true), c.open("", true), c.open("", true))
			c.closeAll()
			return strings.Join(seq, " ")
		},
	},
	{
		name: "leastconn", balance: "leastconn",
		servers: []string{"", "", ""},
		run: func(c *lbClient, settle func(int)) string {
			var first []string
			for i := 0; i < 6; i++ {
				first = append(first, c.open("", true))
			}
			// Release the connections held on s1: it becomes the least
			// loaded and takes the next two.
			kept := c.held[:0]
			for i, h := range c.held {
				if first[i] == "s1" {
					h.Close()
				} else {
					kept = append(kept, h)
				}
			}
			c.held = kept
			settle(len(kept))
			second := []string{c.open("", true), c.open("", true)}
			c.closeAll()
			return counts(first) + " | " + counts(second)
		},
	},
	{
		name: "source", balance: "source",
		servers: []string{"weight 1", "weight 2", "weight 3"},
		run: func(c *lbClient, _ func(int)) string {
			var got []string
			sticky := true
			for i := 0; i < 30; i++ {
				src := fmt.Sprintf("127.0.0.%d", 10+i)
				a, b := c.open(src, false), c.open(src, false)
				sticky = sticky && a == b
				got = append(got, a)
			}
			// The exact mapping, not only the counts: the same address
			// hash and the same map as HAProxy.
			return fmt.Sprintf("%s | %s sticky=%v", strings.Join(got, " "), counts(got), sticky)
		},
	},
}

func TestLBDifferential(t *testing.T) {
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("haproxy not found: run make deps")
		}
		t.Skip("haproxy not found")
	}
	for _, sc := range lbScenarios {
		t.Run(sc.name, func(t *testing.T) {
			var results [2]string
			for i, bin := range []string{haproxy, hitlessBin} {
				srv := namedServers(t, len(sc.servers))
				port := freeTCPPort(t)
				var cfg strings.Builder
				fmt.Fprintf(&cfg, "global\n    nbthread 1\ndefaults\n    mode tcp\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\nlisten px\n    bind 127.0.0.1:%d\n    balance %s\n", port, sc.balance)
				for j, kw := range sc.servers {
					fmt.Fprintf(&cfg, "    server s%d %s %s\n", j+1, srv[j], kw)
				}
				runProxy(t, bin, cfg.String(), port)
				c := &lbClient{t: t, addr: fmt.Sprintf("127.0.0.1:%d", port)}
				results[i] = sc.run(c, func(n int) { waitEstablished(t, port, n) })
				c.closeAll()
			}
			t.Logf("haproxy: %s", results[0])
			t.Logf("hitless: %s", results[1])
			if results[0] != results[1] {
				t.Errorf("distribution differs:\nhaproxy %s\nhitless %s", results[0], results[1])
			}
		})
	}
}

// waitEstablished waits until exactly n client connections to the proxy
// port are established, so that closes were seen before the next step.
func waitEstablished(t *testing.T, port, n int) {
	t.Helper()
	want := fmt.Sprintf(":%04X", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile("/proc/net/tcp")
		k := 0
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			// Local side of the proxy's accepted connections, ESTABLISHED.
			if len(f) > 3 && strings.HasSuffix(f[1], want) && f[3] == "01" {
				k++
			}
		}
		if k == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections to port %d established, want %d", k, port, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
