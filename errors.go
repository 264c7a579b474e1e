package clerk

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxErrorBody is how much of an error response body is read. Clerk's error
// bodies are a few hundred bytes; a proxy's HTML page may be larger, and is
// not worth more than this.
const maxErrorBody = 1 << 20

// APIError is returned for every response whose status is not 2xx, whatever
// its body: Clerk's JSON errors, a proxy's HTML page, or nothing at all.
// Use errors.Is with the Err* sentinels to test the status, and HasCode to
// test Clerk's machine-readable error codes.
type APIError struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Errors holds Clerk's errors[] array; it is empty when the body was not
	// Clerk JSON.
	Errors []ErrorDetail
	// TraceID is Clerk's trace ID for support requests: the Clerk-Trace-Id
	// header, else the clerk_trace_id of the body.
	TraceID string
	// RetryAfter is the wait the server asked for in a Retry-After header,
	// zero when it sent none.
	RetryAfter time.Duration
	// Response is the response that carried the error; its body is already
	// read and closed.
	Response *Response
}

// ErrorDetail is one element of the errors[] array of a Clerk error body.
type ErrorDetail struct {
	// Code is machine-readable, such as "resource_not_found".
	Code string `json:"code"`
	// Message is short, such as "is missing"; it may be empty.
	Message string `json:"message"`
	// LongMessage is a full sentence, such as "role must be included.".
	LongMessage string `json:"long_message"`
	// Meta holds details such as {"param_name": "role"} for form errors.
	Meta json.RawMessage `json:"meta,omitempty"`
}

// clerkErrors is the ClerkErrors schema of Clerk's error bodies.
type clerkErrors struct {
	Errors       []ErrorDetail `json:"errors"`
	ClerkTraceID string        `json:"clerk_trace_id"`
}

// Error reads like
// "clerk: 404 Not Found: resource_not_found: Given organization not found. (trace abc123)".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("clerk: ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" ")
		b.WriteString(text)
	}
	if e.StatusCode >= 300 && e.StatusCode < 400 {
		b.WriteString(": redirect refused (Clerk does not redirect; check the base URL)")
	}
	for i, d := range e.Errors {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(d.Code)
		msg := d.LongMessage
		if msg == "" {
			msg = d.Message
		}
		if msg != "" {
			b.WriteString(": ")
			b.WriteString(msg)
		}
	}
	if e.RetryAfter > 0 {
		b.WriteString(" (retry after ")
		b.WriteString(e.RetryAfter.String())
		b.WriteString(")")
	}
	if e.TraceID != "" {
		b.WriteString(" (trace ")
		b.WriteString(e.TraceID)
		b.WriteString(")")
	}
	return b.String()
}

// Is reports whether target is the sentinel for e's status: ErrNotFound for
// 404, ErrServer for any 5xx, and so on.
func (e *APIError) Is(target error) bool {
	s, ok := target.(*statusSentinel)
	if !ok {
		return false
	}
	if s == ErrServer {
		return e.StatusCode >= 500 && e.StatusCode < 600
	}
	return e.StatusCode == s.status
}

// HasCode reports whether any of Clerk's errors in e has the given code,
// such as "already_a_member_in_organization".
func (e *APIError) HasCode(code string) bool {
	for _, d := range e.Errors {
		if d.Code == code {
			return true
		}
	}
	return false
}

// statusSentinel is the type of the Err* sentinels; *APIError.Is matches them.
type statusSentinel struct {
	status int
	text   string
}

func (s *statusSentinel) Error() string { return "clerk: " + s.text }

// Sentinels for errors.Is. An *APIError matches the one for its status.
var (
	ErrBadRequest    error = &statusSentinel{400, "bad request"}
	ErrUnauthorized  error = &statusSentinel{401, "unauthorized"}
	ErrForbidden     error = &statusSentinel{403, "forbidden"}
	ErrNotFound      error = &statusSentinel{404, "not found"}
	ErrConflict      error = &statusSentinel{409, "conflict"}
	ErrUnprocessable error = &statusSentinel{422, "unprocessable request"}
	ErrRateLimited   error = &statusSentinel{429, "rate limited"}
	ErrServer        error = &statusSentinel{500, "server error (any 5xx)"}
)

// ValidationError is returned, before any request is sent, when an argument
// is invalid.
type ValidationError struct {
	// Param names the offending argument, such as "organization_id" or "limit".
	Param string
	// Message says what is wrong with it.
	Message string
}

// Error reads like "clerk: invalid limit: must be between 1 and 500 ...".
func (e *ValidationError) Error() string {
	return "clerk: invalid " + e.Param + ": " + e.Message
}

// newAPIError reads at most maxErrorBody of resp's body, closes it, and
// describes the response. resp.Body is left as http.NoBody.
func newAPIError(resp *http.Response) *APIError {
	e := &APIError{
		StatusCode: resp.StatusCode,
		TraceID:    resp.Header.Get("Clerk-Trace-Id"),
	}
	e.RetryAfter, _ = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	drainAndClose(resp)
	var ce clerkErrors
	if json.Unmarshal(body, &ce) == nil {
		e.Errors = ce.Errors
		if e.TraceID == "" {
			e.TraceID = ce.ClerkTraceID
		}
	}
	return e
}

// parseRetryAfter reads a Retry-After header given in seconds or as an HTTP
// date. A date in the past means no wait.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
