package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// generatorMargin is how long past its duration a generator run may take
// (connection set-up, the final timeout window, the exchange of results,
// printing) before it is killed.
const generatorMargin = 30 * time.Second

// checkDuration validates a generator duration: whole seconds, at least
// one, as wrk and iperf3 count them.
func checkDuration(tool string, d time.Duration) error {
	if d < time.Second || d%time.Second != 0 {
		return fmt.Errorf("bench: %s duration %v: must be whole seconds", tool, d)
	}
	return nil
}

// runBounded runs argv to completion in its own process group and
// returns its stdout and stderr. It is killed (the whole group) when it
// runs longer than limit or ctx ends; it receives SIGKILL if the harness
// dies. A non-zero exit is an error quoting the output.
func runBounded(ctx context.Context, argv []string, limit time.Duration) (stdout, stderr []byte, err error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	runErr := cmd.Run()
	cmdline := strings.Join(argv, " ")
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			return nil, nil, fmt.Errorf("bench: %s: still running after %v, killed", cmdline, limit)
		}
		return nil, nil, fmt.Errorf("bench: %s: %w", cmdline, ctxErr)
	}
	if runErr != nil {
		return nil, nil, fmt.Errorf("bench: %s: %w; output:\n%s", cmdline, runErr, indent(out.String()+errOut.String()))
	}
	return out.Bytes(), errOut.Bytes(), nil
}
