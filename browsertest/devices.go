package browsertest

import (
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"
)

// Listen gives the parameters of the events of method (e.g. "Fetch.requestPaused") from now
// on; up to 64 wait unread.
func (b *Browser) Listen(method string) <-chan json.RawMessage {
	ch := make(chan json.RawMessage, 64)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.listeners == nil {
		b.listeners = map[string]chan json.RawMessage{}
	}
	b.listeners[method] = ch
	return ch
}

// Paused is a request the browser holds until the test answers it (Intercept).
type Paused struct {
	RequestID string `json:"requestId"`
	Request   struct {
		URL     string            `json:"url"`
		Method  string            `json:"method"`
		Headers map[string]string `json:"headers"`
	} `json:"request"`
}

// Intercept holds every request whose URL matches pattern (wildcards * and ?) before it is
// sent; the test answers each with Fulfill.
func (b *Browser) Intercept(t *testing.T, pattern string) <-chan json.RawMessage {
	t.Helper()
	ch := b.Listen("Fetch.requestPaused")
	b.Call(t, "Fetch.enable", map[string]any{"patterns": []map[string]any{{"urlPattern": pattern, "requestStage": "Request"}}})
	return ch
}

// NextPaused waits for the next request Intercept holds.
func NextPaused(t *testing.T, ch <-chan json.RawMessage) Paused {
	t.Helper()
	select {
	case raw := <-ch:
		var p Paused
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		return p
	case <-time.After(15 * time.Second):
		t.Fatal("no request was held")
		return Paused{}
	}
}

// Fulfill answers a held request with status, headers and body, as a server would.
func (b *Browser) Fulfill(t *testing.T, p Paused, status int, headers map[string]string, body []byte) {
	t.Helper()
	var hs []map[string]string
	for k, v := range headers {
		hs = append(hs, map[string]string{"name": k, "value": v})
	}
	b.Call(t, "Fetch.fulfillRequest", map[string]any{"requestId": p.RequestID, "responseCode": status, "responseHeaders": hs,
		"body": base64.StdEncoding.EncodeToString(body)})
}

// DownloadTo saves the files the page downloads into dir, under the names they are given.
func (b *Browser) DownloadTo(t *testing.T, dir string) {
	t.Helper()
	b.Call(t, "Browser.setDownloadBehavior", map[string]any{"behavior": "allow", "downloadPath": dir})
}

// PrintPDF prints the page as Chromium's print to PDF does, with the page size and margins
// of the page's own @page rule and its backgrounds.
func (b *Browser) PrintPDF(t *testing.T) []byte {
	t.Helper()
	res := b.Call(t, "Page.printToPDF", map[string]any{"preferCSSPageSize": true, "printBackground": true})
	var r struct{ Data string }
	json.Unmarshal(res, &r) //nolint:errcheck
	pdf, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil || len(pdf) < 1000 {
		t.Fatalf("print to PDF: %d bytes, %v", len(pdf), err)
	}
	return pdf
}

// Press types one key (Tab, Enter…) into the focused element, with Shift held when shift.
func (b *Browser) Press(t *testing.T, key string, shift bool) {
	t.Helper()
	codes := map[string]int{"Tab": 9, "Enter": 13, "Escape": 27}
	mods := 0
	if shift {
		mods = 8
	}
	down := map[string]any{"type": "rawKeyDown", "key": key, "code": key, "windowsVirtualKeyCode": codes[key], "modifiers": mods}
	if key == "Enter" {
		// Enter types a character: that activates a button, as a real keyboard's does.
		down["type"], down["text"], down["unmodifiedText"] = "keyDown", "\r", "\r"
	}
	b.Call(t, "Input.dispatchKeyEvent", down)
	b.Call(t, "Input.dispatchKeyEvent", map[string]any{"type": "keyUp", "key": key, "code": key, "windowsVirtualKeyCode": codes[key], "modifiers": mods})
}

// AXNode is an element as assistive technology sees it: its computed role and accessible name.
type AXNode struct{ Role, Name string }

// Accessible gives the role and accessible name Chromium computes for the element expr
// evaluates to (e.g. document.activeElement).
func (b *Browser) Accessible(t *testing.T, expr string) AXNode {
	t.Helper()
	var obj struct {
		Result struct{ ObjectID string }
	}
	json.Unmarshal(b.Call(t, "Runtime.evaluate", map[string]any{"expression": expr}), &obj) //nolint:errcheck
	if obj.Result.ObjectID == "" {
		t.Fatalf("%s is not an element", expr)
	}
	var tree struct {
		Nodes []struct {
			Role, Name struct{ Value any }
		}
	}
	json.Unmarshal(b.Call(t, "Accessibility.getPartialAXTree", map[string]any{"objectId": obj.Result.ObjectID, "fetchRelatives": false}), &tree) //nolint:errcheck
	if len(tree.Nodes) == 0 {
		return AXNode{}
	}
	n := AXNode{}
	n.Role, _ = tree.Nodes[0].Role.Value.(string)
	n.Name, _ = tree.Nodes[0].Name.Value.(string)
	return n
}
