package engine

import (
	"errors"
	"sync"
	"testing"
)

func TestMailboxOrderAndBound(t *testing.T) {
	var m mailbox
	var got []int
	for i := 0; i < mailboxSize; i++ {
		i := i
		if err := m.post(task{fn: func(*reactor) { got = append(got, i) }}); err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
	}
	if err := m.post(task{}); !errors.Is(err, ErrMailboxFull) {
		t.Fatalf("post beyond bound = %v, want ErrMailboxFull", err)
	}
	if m.full.Load() != 1 {
		t.Fatalf("full counter = %d, want 1", m.full.Load())
	}
	buf := make([]task, 100)
	total := 0
	for {
		n, left := m.take(buf)
		for _, tk := range buf[:n] {
			tk.fn(nil)
		}
		total += n
		if left == 0 {
			break
		}
	}
	if total != mailboxSize {
		t.Fatalf("took %d tasks, want %d", total, mailboxSize)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("task %d ran as %d: order lost", i, v)
		}
	}
	m.post(task{})
	if rest := m.close(); len(rest) != 1 {
		t.Fatalf("close returned %d tasks, want 1", len(rest))
	}
	if err := m.post(task{}); !errors.Is(err, errStopped) {
		t.Fatalf("post after close = %v, want errStopped", err)
	}
}

func TestMailboxConcurrentProducers(t *testing.T) {
	var m mailbox
	const producers, each = 8, 400
	var wg sync.WaitGroup
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				for m.post(task{}) != nil {
				}
			}
		}()
	}
	buf := make([]task, 64)
	taken := 0
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		n, _ := m.take(buf)
		taken += n
		select {
		case <-done:
			n, _ := m.take(buf)
			for n > 0 {
				taken += n
				n, _ = m.take(buf)
			}
			if taken != producers*each {
				t.Fatalf("took %d, want %d", taken, producers*each)
			}
			return
		default:
		}
	}
}
