//go:build linux && !race

package poller

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestWaitAndWakeDoNotAllocate(t *testing.T) {
	p := newPoller(t)
	r, w := newPipe(t)
	if err := p.Add(r, In, 1); err != nil {
		t.Fatal(err)
	}
	unix.Write(w, []byte("x"))
	evs := make([]Event, 8)
	allocs := testing.AllocsPerRun(100, func() {
		p.Wake()
		p.Wait(evs, 0)
	})
	if allocs != 0 {
		t.Errorf("Wake+Wait allocated %v times per run, want 0", allocs)
	}
}

func BenchmarkWakeWait(b *testing.B) {
	p, err := New()
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	evs := make([]Event, 8)
	b.ReportAllocs()
	for b.Loop() {
		p.Wake()
		p.Wait(evs, 0)
	}
}
