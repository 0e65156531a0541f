//go:build linux

package poller

import (
	"errors"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func newPipe(t *testing.T) (r, w int) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(p[0]); unix.Close(p[1]) })
	return p[0], p[1]
}

func newPoller(t *testing.T) *Poller {
	t.Helper()
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestTokenRoundTrip(t *testing.T) {
	tests := []Token{0, 1, 0xffffffff, 0x1_0000_0000, 0xdead_beef_0000_0042, WakeToken - 1}
	for _, tok := range tests {
		ev := event(In, tok)
		if got := TokenOf(&ev); got != tok {
			t.Errorf("TokenOf(event(%#x)) = %#x", uint64(tok), uint64(got))
		}
	}
}

func TestReadableReportsToken(t *testing.T) {
	p := newPoller(t)
	r, w := newPipe(t)
	const tok = Token(7)<<32 | 12345
	if err := p.Add(r, In|Edge, tok); err != nil {
		t.Fatal(err)
	}
	evs := make([]Event, 8)
	n, woken, err := p.Wait(evs, 0)
	if err != nil || n != 0 || woken {
		t.Fatalf("Wait on idle pipe = %d, %v, %v; want 0, false, nil", n, woken, err)
	}
	unix.Write(w, []byte("x"))
	n, woken, err = p.Wait(evs, 1000)
	if err != nil || n != 1 || woken {
		t.Fatalf("Wait = %d, %v, %v; want 1, false, nil", n, woken, err)
	}
	if got := TokenOf(&evs[0]); got != tok {
		t.Errorf("token = %#x, want %#x", uint64(got), uint64(tok))
	}
	if evs[0].Events&In == 0 {
		t.Errorf("events = %#x, want In", evs[0].Events)
	}
	// Edge-triggered: no new event until new data arrives.
	if n, _, _ = p.Wait(evs, 0); n != 0 {
		t.Errorf("second Wait = %d events, want 0 (edge-triggered)", n)
	}
	if err := p.Mod(r, Out, tok); err != nil {
		t.Fatal(err)
	}
	if err := p.Del(r); err != nil {
		t.Fatal(err)
	}
	if err := p.Del(r); err == nil {
		t.Error("second Del succeeded, want an error")
	}
}

func TestWakeFromOtherGoroutines(t *testing.T) {
	p := newPoller(t)
	evs := make([]Event, 8)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				if err := p.Wake(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	n, woken, err := p.Wait(evs, 1000)
	if err != nil || n != 0 || !woken {
		t.Fatalf("Wait after Wake = %d, %v, %v; want 0, true, nil", n, woken, err)
	}
	// Coalesced: everything was consumed by one Wait.
	n, woken, err = p.Wait(evs, 0)
	if err != nil || n != 0 || woken {
		t.Fatalf("Wait after consumed wake = %d, %v, %v; want 0, false, nil", n, woken, err)
	}
	// A new Wake after consumption is delivered again.
	p.Wake()
	if _, woken, _ = p.Wait(evs, 1000); !woken {
		t.Fatal("Wake after consumption was lost")
	}
}

func TestWakeUnblocksWait(t *testing.T) {
	p := newPoller(t)
	done := make(chan bool)
	go func() {
		evs := make([]Event, 4)
		_, woken, _ := p.Wait(evs, 10_000)
		done <- woken
	}()
	p.Wake()
	select {
	case woken := <-done:
		if !woken {
			t.Fatal("Wait returned without wake-up")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wake did not unblock Wait")
	}
}

func TestClose(t *testing.T) {
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close = %v, want ErrClosed", err)
	}
	if err := p.Wake(); !errors.Is(err, ErrClosed) {
		t.Errorf("Wake after Close = %v, want ErrClosed", err)
	}
}
