package check

import (
	"testing"
	"time"
)

func TestMessages(t *testing.T) {
	s1 := ServerName{Backend: "be", Name: "s1"}
	b1 := ServerName{Backend: "be", Name: "b1", Backup: true}
	refused := result(StatusL4CON, "Connection refused")
	sts := Result{Status: StatusL7STS, Code: 503, Duration: 12 * time.Millisecond}
	sts.SetInfo(`Service "Unavailable" <now> é`)
	noDur := Result{Status: StatusL4OK, Duration: -1}
	h := NewHealth(2, 3)
	h.Report(false)
	up := NewHealth(2, 3)
	up.Report(true)
	going := NewHealth(2, 3)
	going.Report(true)
	going.Report(false)
	for _, tt := range []struct {
		name string
		got  []byte
		want string
	}{
		{"check failed", AppendCheckLog(nil, s1, &refused, &h, false),
			`Health check for server be/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 0/2 DOWN.`},
		{"check succeeded backup", AppendCheckLog(nil, b1, &noDur, &up, false),
			`Health check for backup server be/b1 succeeded, reason: Layer4 check passed, status: 3/3 UP.`},
		{"check escaped info", AppendCheckLog(nil, s1, &sts, &going, false),
			`Health check for server be/s1 failed, reason: Layer7 wrong status, code: 503, info: "Service <22>Unavailable<22> <3C>now<3E> <C3><A9>", check duration: 12ms, status: 2/3 UP.`},
		{"check drain", AppendCheckLog(nil, s1, &noDur, &up, true),
			`Health check for server be/s1 succeeded, reason: Layer4 check passed, status: 3/3 DRAIN.`},
		{"check conditionally", AppendCheckLog(nil, s1, &Result{Status: StatusL7OKC, Code: 404}, &up, false),
			`Health check for server be/s1 conditionally succeeded, reason: Layer7 check conditionally passed, code: 404, check duration: 0ms, status: 3/3 UP.`},
		{"down with reason", AppendServerDown(nil, s1, &refused, "", Counts{Backup: 1, Sessions: 3, Requeued: 2, Queued: 1}),
			`Server be/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 1 backup servers left. Running on backup. 3 sessions active, 2 requeued, 1 remaining in queue.`},
		{"down logged", AppendServerDown(nil, b1, nil, "", Counts{Active: 2}),
			`Backup Server be/b1 is DOWN. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`},
		{"down from cli", AppendServerDown(nil, s1, nil, "changed from CLI", Counts{}),
			`Server be/s1 is DOWN, changed from CLI. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`},
		{"up", AppendServerUp(nil, s1, &Result{Status: StatusL4OK}, "", Counts{Active: 1, Requeued: 4, Queued: 5}),
			`Server be/s1 is UP, reason: Layer4 check passed, check duration: 0ms. 1 active and 0 backup servers online. 4 sessions requeued, 5 total in queue.`},
		{"stopping", AppendServerStopping(nil, s1, &Result{Status: StatusL7OKC, Code: 404}, "", Counts{Backup: 1}),
			`Server be/s1 is stopping, reason: Layer7 check conditionally passed, code: 404, check duration: 0ms. 0 active and 1 backup servers online. Running on backup. 0 sessions requeued, 0 total in queue.`},
		{"no server", AppendNoServer(nil, "be"), `backend 'be' has no server available!`},
		{"maint", AppendMaintDown(nil, s1, Counts{Active: 1}), `Server be/s1 is going DOWN for maintenance. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`},
		{"maint was down", AppendMaintWasDown(nil, b1), `Backup Server be/b1 was DOWN and now enters maintenance.`},
		{"maint leave", AppendMaintLeave(nil, s1, false, true), `Server be/s1 is DOWN/DRAIN (leaving forced maintenance).`},
		{"drain", AppendDrainEnter(nil, s1, true, Counts{Active: 1}), `Server be/s1 enters drain state. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.`},
		{"drain down", AppendDrainEnter(nil, s1, false, Counts{}), `Server be/s1 enters drain state. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`},
		{"drain leave", AppendDrainLeave(nil, b1, true), `Backup Server be/b1 is UP (leaving forced drain).`},
		{"drain remains", AppendDrainRemains(nil, s1), `Server be/s1 remains in forced drain mode.`},
	} {
		if string(tt.got) != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, tt.got, tt.want)
		}
	}
}
