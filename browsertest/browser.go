// Package browsertest drives a real headless Chromium over the DevTools Protocol for the
// tests of the pages the server serves (the dashboard, the GraphQL explorer). The browser is
// kept offline: every request to a host other than the loopback fails, and each request the
// page makes is recorded (Requests), so a test can assert that nothing left the machine.
package browsertest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Chromium finds Debian's headless-capable Chromium; tests never skip for want of it.
func Chromium(t *testing.T) string {
	for _, name := range []string{os.Getenv("GRIDGOV_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium: apt-get install -y chromium (or set GRIDGOV_CHROMIUM)")
	return ""
}

// Browser is one headless Chromium and a DevTools Protocol session on its page.
type Browser struct {
	ws     *websocket.Conn
	mu     sync.Mutex
	nextID int
	wait   map[int]chan cdpMessage
	errs   []string
	dir    string
	// requests are the URLs the page asked for, in order.
	requests []string
	// listeners get the events of the methods they are for (Listen).
	listeners map[string]chan json.RawMessage
}

type cdpMessage struct {
	ID     int             `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// The browser reaches the loopback only: no host name resolves but the loopback's, and
// every request that is not to the loopback goes to a proxy on a port where nothing listens
// (discard, 9), so it fails.
const (
	offlineResolver = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"
	offlineProxy    = "--proxy-server=http://127.0.0.1:9"
)

// Launch starts a headless, offline Chromium with a fresh profile, stopped when the test ends.
func Launch(t *testing.T, bin string) *Browser {
	t.Helper()
	// A fresh profile, removed by us: Chromium's helper processes may still write to it for a
	// moment after the browser is gone, which t.TempDir's cleanup would report as a failure.
	dir, err := os.MkdirTemp("", "gridgov-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+dir,
		"--remote-debugging-port=0", offlineResolver, offlineProxy, "--proxy-bypass-list=127.0.0.1;localhost", "about:blank")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its own process group, stopped as a whole
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) //nolint:errcheck // the group of the browser this test started
		cancel()
		cmd.Wait() //nolint:errcheck
		for i := 0; i < 20 && os.RemoveAll(dir) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	var port string
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(filepath.Join(dir, "DevToolsActivePort")); err == nil && strings.Contains(string(b), "\n") {
			port, _, _ = strings.Cut(string(b), "\n")
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if port == "" {
		t.Fatal("chromium did not open its DevTools port")
	}
	var targets []struct{ Type, WebSocketDebuggerURL string }
	for time.Now().Before(deadline) && len(targets) == 0 {
		resp, err := http.Get("http://127.0.0.1:" + port + "/json/list")
		if err == nil {
			var all []struct{ Type, WebSocketDebuggerURL string }
			json.NewDecoder(resp.Body).Decode(&all) //nolint:errcheck
			resp.Body.Close()
			for _, x := range all {
				if x.Type == "page" {
					targets = append(targets, x)
				}
			}
		}
		if len(targets) == 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if len(targets) == 0 {
		t.Fatal("chromium has no page target")
	}
	ws, _, err := websocket.Dial(ctx, targets[0].WebSocketDebuggerURL, nil)
	if err != nil {
		t.Fatalf("devtools: %v", err)
	}
	ws.SetReadLimit(64 << 20)
	b := &Browser{ws: ws, wait: map[int]chan cdpMessage{}, dir: dir}
	go b.read(ctx)
	for _, m := range []string{"Runtime.enable", "Log.enable", "Page.enable", "Network.enable"} {
		b.Call(t, m, nil)
	}
	return b
}

func (b *Browser) read(ctx context.Context) {
	for {
		_, data, err := b.ws.Read(ctx)
		if err != nil {
			return
		}
		var m cdpMessage
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch := b.wait[m.ID]; ch != nil {
				ch <- m
				delete(b.wait, m.ID)
			}
		} else {
			b.event(m)
		}
		b.mu.Unlock()
	}
}

// event records console errors, uncaught exceptions, browser-logged errors and requests.
func (b *Browser) event(m cdpMessage) {
	if ch := b.listeners[m.Method]; ch != nil {
		select {
		case ch <- m.Params:
		default: // a listener that does not keep up loses events, not the browser
		}
	}
	switch m.Method {
	case "Runtime.consoleAPICalled":
		var p struct {
			Type string
			Args []struct {
				Value       any
				Description string
			}
		}
		json.Unmarshal(m.Params, &p) //nolint:errcheck
		if p.Type == "error" || p.Type == "assert" {
			b.errs = append(b.errs, fmt.Sprintf("console.%s %v", p.Type, p.Args))
		}
	case "Network.requestWillBeSent":
		var p struct {
			Request struct{ URL string }
		}
		json.Unmarshal(m.Params, &p) //nolint:errcheck
		b.requests = append(b.requests, p.Request.URL)
	case "Runtime.exceptionThrown":
		b.errs = append(b.errs, "exception "+string(m.Params))
	case "Log.entryAdded":
		var p struct {
			Entry struct{ Level, Text, URL string }
		}
		json.Unmarshal(m.Params, &p) //nolint:errcheck
		if p.Entry.Level == "error" {
			b.errs = append(b.errs, "log "+p.Entry.Text+" "+p.Entry.URL)
		}
	}
}

func (b *Browser) Call(t *testing.T, method string, params any) json.RawMessage {
	t.Helper()
	res, err := b.try(method, params)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// try sends one command and waits for its answer.
func (b *Browser) try(method string, params any) (json.RawMessage, error) {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMessage, 1)
	b.wait[id] = ch
	b.mu.Unlock()
	msg, _ := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.ws.Write(ctx, websocket.MessageText, msg); err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return nil, fmt.Errorf("%s: %s", method, m.Error.Message)
		}
		return m.Result, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: no answer", method)
	}
}

func (b *Browser) Eval(t *testing.T, expr string) json.RawMessage {
	t.Helper()
	res := b.Call(t, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true})
	var r struct {
		Result struct {
			Value json.RawMessage
		}
		ExceptionDetails *struct {
			Text      string
			Exception struct{ Description string }
		}
	}
	json.Unmarshal(res, &r) //nolint:errcheck
	if r.ExceptionDetails != nil {
		t.Fatalf("%s: %s %s", expr, r.ExceptionDetails.Text, r.ExceptionDetails.Exception.Description)
	}
	return r.Result.Value
}

func (b *Browser) EvalString(t *testing.T, expr string) string {
	t.Helper()
	var s string
	json.Unmarshal(b.Eval(t, expr), &s) //nolint:errcheck
	return s
}

// WaitFor polls cond until it holds. While the page reloads, evaluation may fail or find no
// element yet: that counts as not yet.
func (b *Browser) WaitFor(t *testing.T, cond string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	expr := "(() => { try { return Boolean(" + cond + "); } catch (e) { return false; } })()"
	for time.Now().Before(deadline) {
		if res, err := b.try("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}); err == nil &&
			strings.Contains(string(res), `"value":true`) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.NoConsoleErrors(t)
	t.Fatalf("timed out waiting for %s; page says: %s", cond, b.EvalString(t, `document.body.innerText.slice(0, 500)`))
}

func (b *Browser) Screenshot(t *testing.T, name string) {
	t.Helper()
	time.Sleep(300 * time.Millisecond) // let chart animations settle
	res := b.Call(t, "Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true})
	var r struct{ Data string }
	json.Unmarshal(res, &r) //nolint:errcheck
	png, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil || len(png) < 1000 {
		t.Fatalf("screenshot: %d bytes, %v", len(png), err)
	}
	path := filepath.Join(t.ArtifactDir(), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}

func (b *Browser) NoConsoleErrors(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errs {
		t.Errorf("browser error: %s", e)
	}
}

// Requests gives the URLs the page has asked for so far, data: URLs included.
func (b *Browser) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

// OnlyFrom fails the test for every request the page made to anything but origin (the test
// server's http://127.0.0.1:port) or a data: URL.
func (b *Browser) OnlyFrom(t *testing.T, origin string) {
	t.Helper()
	for _, u := range b.Requests() {
		if !strings.HasPrefix(u, origin+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page asked for %s, outside %s", u, origin)
		}
	}
}
