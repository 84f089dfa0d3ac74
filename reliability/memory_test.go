package reliability

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// memSample is the server's memory at one moment: VmRSS and VmHWM from /proc, and from its
// /metrics the Go heap in use, the resident set it reports and its goroutines. Sizes in MiB.
type memSample struct {
	at                          time.Duration
	rss, hwm, heap, procRSS, gr float64
}

func (s memSample) String() string {
	return fmt.Sprintf("%6.0fs  VmRSS %6.1f  VmHWM %6.1f  heap_inuse %6.1f  process_resident %6.1f  goroutines %4.0f",
		s.at.Seconds(), s.rss, s.hwm, s.heap, s.procRSS, s.gr)
}

// sampler samples a server's memory every interval until stopped.
type sampler struct {
	stopc   chan struct{}
	wg      sync.WaitGroup
	samples []memSample
	errs    []string
}

func sampleMemory(a *api, every time.Duration) *sampler {
	s := &sampler{stopc: make(chan struct{})}
	start := time.Now()
	s.wg.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			m, err := readMemory(a)
			m.at = time.Since(start)
			if err != nil {
				s.errs = append(s.errs, err.Error())
			} else {
				s.samples = append(s.samples, m)
			}
			select {
			case <-s.stopc:
				return
			case <-tick.C:
			}
		}
	})
	return s
}

// stop ends sampling and gives the series; a failed sample fails t.
func (s *sampler) stop(t *testing.T) []memSample {
	t.Helper()
	close(s.stopc)
	s.wg.Wait()
	for _, e := range s.errs {
		t.Errorf("memory sample: %s", e)
	}
	return s.samples
}

func readMemory(a *api) (memSample, error) {
	var m memSample
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", a.cmd.Process.Pid))
	if err != nil {
		return m, err
	}
	kib := procFields(string(status))
	m.rss, m.hwm = kib["VmRSS"]/1024, kib["VmHWM"]/1024
	metrics, err := scrape("http://" + a.addr + "/metrics")
	if err != nil {
		return m, err
	}
	m.heap, m.procRSS, m.gr = metrics["go_memstats_heap_inuse_bytes"]/(1<<20), metrics["process_resident_memory_bytes"]/(1<<20), metrics["go_goroutines"]
	if m.rss == 0 || m.heap == 0 || m.gr == 0 {
		return m, fmt.Errorf("incomplete sample %+v", m)
	}
	return m, nil
}

// procFields reads the "Name:   123 kB" lines of /proc/PID/status, in KiB.
func procFields(status string) map[string]float64 {
	out := map[string]float64{}
	for _, line := range strings.Split(status, "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if f := strings.Fields(rest); ok && len(f) == 2 && f[1] == "kB" {
			out[name], _ = strconv.ParseFloat(f[0], 64)
		}
	}
	return out
}

// scrape reads the unlabelled samples of a Prometheus text exposition.
func scrape(url string) (map[string]float64, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && !strings.HasPrefix(f[0], "#") && !strings.Contains(f[0], "{") {
			out[f[0]], _ = strconv.ParseFloat(f[1], 64)
		}
	}
	return out, sc.Err()
}

// logSeries prints a memory series.
func logSeries(t *testing.T, series []memSample) {
	t.Helper()
	var b strings.Builder
	for _, s := range series {
		b.WriteString("\n  " + s.String())
	}
	t.Logf("server memory (MiB) every sample:%s", b.String())
}

// median of one field over samples.
func median(samples []memSample, field func(memSample) float64) float64 {
	v := make([]float64, len(samples))
	for i, s := range samples {
		v[i] = field(s)
	}
	slices.Sort(v)
	return v[len(v)/2]
}
