package clerktest

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Request is what the server received in one request, and how it answered.
type Request struct {
	Method string
	// Path is the escaped path as sent, such as "/v1/organizations/org_1/memberships".
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
	// Status is the status the server answered with; 0 when a fault dropped
	// the connection.
	Status int
}

// Requests returns a copy of every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// CountRequests returns how many requests with the given method and escaped
// path (such as "/v1/organizations/org_1/memberships") were received. An
// empty method or path matches any.
func (s *Server) CountRequests(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if (method == "" || r.Method == method) && (path == "" || r.Path == path) {
			n++
		}
	}
	return n
}

// A Fault replaces the server's answer to the next Times requests that match
// Method and Path. Register one with InjectFault.
type Fault struct {
	// Method and Path (escaped, such as "/v1/organization_memberships")
	// select the requests; empty matches any.
	Method, Path string
	// Times is how many matching requests get the fault; 0 means 1.
	Times int
	// Delay holds the answer back this long (or until the client gives up).
	Delay time.Duration
	// DropConnection closes the connection without answering.
	DropConnection bool
	// Status, Header and Body make the answer. A zero Status with a Delay
	// delays the real answer; a Status with no Body answers with a Clerk
	// error body fitting the status.
	Status int
	Header http.Header
	Body   string
	// AfterApplying performs the request first and then answers with the
	// fault, as a server does when it acts but its answer is lost.
	AfterApplying bool
}

// InjectFault registers f. Faults apply in the order they were injected.
func (s *Server) InjectFault(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults drops every fault not yet used up.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault returns the first fault that matches r and uses one of its
// times. The caller holds s.mu.
func (s *Server) takeFault(r *http.Request) *Fault {
	for i, f := range s.faults {
		if (f.Method == "" || f.Method == r.Method) && (f.Path == "" || f.Path == r.URL.EscapedPath()) {
			if f.Times--; f.Times == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return f
		}
	}
	return nil
}

// SetRateLimit makes the server answer 429 too_many_requests, with a
// Retry-After header in whole seconds, to every request beyond n in each
// fixed window, as Clerk's limiter does. n <= 0 switches limiting off.
func (s *Server) SetRateLimit(n int, window time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= 0 || window <= 0 {
		s.limit = nil
		return
	}
	s.limit = &windowLimit{n: n, window: window}
}

// windowLimit counts requests in fixed windows.
type windowLimit struct {
	n      int
	window time.Duration
	start  time.Time
	count  int
}

// allow counts a request at now and, when it is over the limit, returns how
// long until the window ends.
func (l *windowLimit) allow(now time.Time) (time.Duration, bool) {
	if now.Sub(l.start) >= l.window {
		l.start, l.count = now, 0
	}
	l.count++
	if l.count <= l.n {
		return 0, true
	}
	return l.start.Add(l.window).Sub(now), false
}

// recorder captures the status a handler writes.
type recorder struct {
	http.ResponseWriter
	status int
}

func (w *recorder) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// serveHTTP records the request, then applies the rate limit, any fault,
// authentication and the operation itself, in that order.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(bytes.NewReader(body))
	traceID := randomID(32)
	w.Header().Set("Clerk-Trace-Id", traceID)

	s.mu.Lock()
	idx := len(s.requests)
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.Query(), Header: r.Header.Clone(), Body: body})
	var wait time.Duration
	limited := false
	if s.limit != nil {
		var ok bool
		wait, ok = s.limit.allow(time.Now())
		limited = !ok
	}
	var fault *Fault
	if !limited {
		fault = s.takeFault(r)
	}
	s.mu.Unlock()

	rec := &recorder{ResponseWriter: w}
	defer func() {
		s.mu.Lock()
		s.requests[idx].Status = rec.status
		s.mu.Unlock()
	}()

	if limited {
		secs := int((wait + time.Second - 1) / time.Second)
		rec.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		writeError(rec, traceID, http.StatusTooManyRequests, "too_many_requests", "Too many requests", "Too many requests, retry later", "")
		return
	}
	if fault != nil && !fault.AfterApplying {
		s.applyFault(rec, r, traceID, fault, func() { s.handle(rec, r, traceID) })
		return
	}
	if fault != nil {
		// Act on the request, but throw its answer away.
		s.handle(discard{header: http.Header{}}, r, traceID)
		s.applyFault(rec, r, traceID, fault, nil)
		return
	}
	s.handle(rec, r, traceID)
}

// applyFault answers with f; when f sets no status, real answers instead.
func (s *Server) applyFault(w *recorder, r *http.Request, traceID string, f *Fault, real func()) {
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case f.DropConnection:
		if hj, ok := w.ResponseWriter.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
			}
		}
	case f.Status != 0:
		for k, v := range f.Header {
			w.Header()[k] = v
		}
		if f.Body == "" {
			code, msg := "injected_fault", "Injected fault"
			switch {
			case f.Status == http.StatusTooManyRequests:
				code, msg = "too_many_requests", "Too many requests, retry later"
			case f.Status >= 500:
				code, msg = "internal_clerk_error", "Oops, an unexpected error occurred"
			}
			writeError(w, traceID, f.Status, code, msg, msg, "")
			return
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(f.Status)
		_, _ = io.WriteString(w, f.Body)
	case real != nil:
		real()
	}
}

// discard is a ResponseWriter that throws the answer away.
type discard struct{ header http.Header }

func (d discard) Header() http.Header         { return d.header }
func (d discard) Write(p []byte) (int, error) { return len(p), nil }
func (d discard) WriteHeader(int)             {}
