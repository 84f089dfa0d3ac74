package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// serveProcess is one `gridgov serve` process of a build, talked to over HTTP only.
type serveProcess struct {
	cmd       *exec.Cmd
	url       string // its /graphql
	debugAddr string // its profiler, when asked for
}

// startServer runs bin serve on pgURL in development mode (the benchmark signs its tokens
// with the development secret) without a rate limit (it measures the API, not the limiter),
// and waits until it answers.
func startServer(bin, pgURL string, profiler bool) (*serveProcess, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "GRIDGOV_PG_URL="+pgURL, "GRIDGOV_LISTEN="+addr, "GRIDGOV_LOG_LEVEL=warn",
		"GRIDGOV_METRICS_LISTEN=", "GRIDGOV_MODE=development", "GRIDGOV_RATE_LIMIT=0", "GRIDGOV_DEBUG_LISTEN=",
		"GRIDGOV_SCHEDULER=worker") // nothing but the measured requests changes the database
	s := &serveProcess{cmd: cmd, url: "http://" + addr + "/graphql"}
	if profiler {
		if s.debugAddr, err = freeAddr(); err != nil {
			return nil, err
		}
		cmd.Env = append(cmd.Env, "GRIDGOV_DEBUG_LISTEN="+s.debugAddr)
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	// A server outlives nothing of the benchmark: it is stopped when the benchmark ends,
	// however it ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s serve: %w", bin, err)
	}
	if err := waitHealthy("http://" + addr + "/healthz"); err != nil {
		s.stop()
		return nil, fmt.Errorf("%s serve: %w", bin, err)
	}
	return s, nil
}

func (s *serveProcess) pid() int { return s.cmd.Process.Pid }

// stop interrupts the server and waits for it to end.
func (s *serveProcess) stop() {
	s.cmd.Process.Signal(os.Interrupt) //nolint:errcheck
	s.cmd.Wait()                       //nolint:errcheck
}

// withParams gives pgURL with the given query parameters set.
func withParams(pgURL string, params map[string]string) (string, error) {
	u, err := url.Parse(pgURL)
	if err != nil {
		return "", err
	}
	q := u.Query()
	for k, v := range params {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitHealthy(url string) error {
	for range 150 {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("not healthy at %s after 15 s", url)
}

// cpuProfile asks the server's profiler for a CPU profile of the measured window (after
// warm, for dur) and writes it to path; without a profiler it does nothing.
func (s *serveProcess) cpuProfile(path string, warm, dur time.Duration) <-chan error {
	done := make(chan error, 1)
	if s.debugAddr == "" {
		done <- nil
		return done
	}
	go func() {
		time.Sleep(warm)
		done <- fetchProfile(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", s.debugAddr, int(dur.Seconds())), path)
	}()
	return done
}

func fetchProfile(url, path string) error {
	resp, err := http.Get(url)
	if err != nil {
		return fmt.Errorf("cpu profile: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
	}
	if err == nil {
		err = os.WriteFile(path, b, 0o644)
	}
	if err != nil {
		return fmt.Errorf("cpu profile: %w", err)
	}
	return nil
}
