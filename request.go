package clerk

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Request is one call of a Backend API endpoint. The membership methods
// build one and pass it to Client.Do; so can callers, for endpoints this
// module does not cover:
//
//	path, err := clerk.JoinPath("organizations", orgID)
//	if err != nil { ... }
//	var org clerk.Organization
//	resp, err := client.Do(ctx, &clerk.Request{Operation: "GetOrganization", Method: http.MethodGet, Path: path}, &org)
type Request struct {
	// Operation names the endpoint, as the operationId of Clerk's OpenAPI
	// document such as "GetOrganization"; required. It names the call in
	// errors, log records and OperationName.
	Operation string
	// Method is the HTTP method, such as http.MethodGet; required. POST is
	// retried only when the server certainly did not act on it; see the
	// package documentation.
	Method string
	// Path is relative to the Client's base URL, already escaped and without
	// a leading slash, such as "organizations/org_123/memberships". Build it
	// with JoinPath so that no ID can change which endpoint is called.
	Path string
	// Query holds the query parameters; nil means none.
	Query url.Values
	// Header holds extra headers; nil means none. The client's own headers
	// (Authorization, Clerk-Api-Version, User-Agent, Accept, Content-Type)
	// cannot be set here, in any letter case.
	Header http.Header
	// Body, when not nil, is sent as JSON: encoded with encoding/json, or
	// sent as it is when it is a json.RawMessage. It is encoded once, before
	// middleware runs, so middleware cannot change it.
	Body any

	state *callState // set by Do; carried through middleware to send
}

// callState is what Do hands to the innermost handler besides the Request
// itself, in a field middleware cannot see or lose when it copies the Request.
type callState struct {
	body       []byte       // the encoded Body; nil means no body
	into       any          // where a 2xx body is decoded; nil discards it
	arrived    func() error // see doWith
	sent       bool         // send was reached
	mayBeEmpty bool         // a 2xx without a body leaves into as it was (Do)
}

// Response is the HTTP response to a call, with what Clerk's generated
// clients return from their _with_http_info methods. Its body is already
// read and closed.
type Response struct {
	*http.Response
	// TraceID is Clerk's trace ID for support requests: the Clerk-Trace-Id
	// header, else the clerk_trace_id of an error body.
	TraceID string
	// Attempts is the number of HTTP attempts the call made; 1 when nothing
	// was retried.
	Attempts int
}

// A Handler performs one call: limiter waits, every attempt and every
// backoff. It returns a non-nil *Response whenever an HTTP response arrived.
type Handler func(ctx context.Context, req *Request) (*Response, error)

// A Middleware wraps every call of a Client: once per call (once per page of
// an iterator), around all its attempts, limiter waits and backoffs, so that
// a span or a latency metric covers retries and waits. It may add headers to
// req.Header (which is never nil), observe the *Response (status, Attempts,
// TraceID) and the error, or refuse the call by returning an error without
// calling next. OperationName(ctx) names the call. It must pass on the
// *Request it received, or a copy of it, not one it built itself.
type Middleware func(next Handler) Handler

// operationKey is the context key under which Do stores Request.Operation.
type operationKey struct{}

// OperationName returns the Operation of the call ctx belongs to, or "". It
// is set in the context middleware receives and in the context of every HTTP
// attempt's *http.Request, so that a RoundTripper (otelhttp, a metrics
// transport) can name what it sees.
func OperationName(ctx context.Context) string {
	if ctx == nil {
		return ""
	}
	op, _ := ctx.Value(operationKey{}).(string)
	return op
}

// Do sends req with the Client's authentication, headers, limiter,
// middleware, retry rules (by method: POST is retried only when the server
// cannot have acted), logging and errors, and decodes a 2xx JSON body into v
// (nil discards it; a 2xx without a body, such as 204, leaves v as it was).
// It returns a non-nil *Response whenever an HTTP response
// arrived, and an *APIError for every non-2xx one. An invalid req (nil, no
// Operation or Method, a path that is not relative and escaped, one of the
// client's own headers, a Body that cannot be encoded) is a *ValidationError,
// returned before any middleware runs or anything is sent. Do does not
// modify req.
func (c *Client) Do(ctx context.Context, req *Request, v any) (*Response, error) {
	return c.doWith(ctx, req, v, nil, true)
}

// doWith is Do with a hook: arrived, when not nil, is called once a 2xx
// response has arrived and before its body is decoded; an error abandons the
// body. The concurrent page walker uses it to pace requests and bound memory.
// mayBeEmpty lets a 2xx without a body leave v as it was, as Do promises.
func (c *Client) doWith(ctx context.Context, req *Request, v any, arrived func() error, mayBeEmpty bool) (*Response, error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	if req == nil {
		return nil, &ValidationError{Param: "request", Message: "must not be nil"}
	}
	if err := firstError(checkRequired("operation", req.Operation), checkMethod(req.Method),
		checkPath(req.Path), checkHeader(req.Header)); err != nil {
		return nil, err
	}
	st := &callState{into: v, arrived: arrived, mayBeEmpty: mayBeEmpty}
	if req.Body != nil {
		b, err := encodeBody(req.Body)
		if err != nil {
			return nil, err
		}
		st.body = b
	}
	// Middleware gets a copy it may change without touching the caller's.
	r := *req
	r.Header = req.Header.Clone()
	if r.Header == nil {
		r.Header = http.Header{}
	}
	if req.Query != nil {
		r.Query = url.Values(http.Header(req.Query).Clone())
	}
	r.state = st
	ctx = context.WithValue(ctx, operationKey{}, req.Operation)
	resp, err := c.handler(ctx, &r)
	if err == nil && !st.sent {
		return resp, errors.New("clerk: " + req.Operation + ": a middleware returned without calling next and without an error")
	}
	return resp, err
}

func encodeBody(body any) ([]byte, error) {
	if raw, ok := body.(json.RawMessage); ok {
		if !json.Valid(raw) {
			return nil, &ValidationError{Param: "body", Message: "is a json.RawMessage that is not valid JSON"}
		}
		return raw, nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, &ValidationError{Param: "body", Message: "cannot be encoded as JSON: " + err.Error()}
	}
	return b, nil
}

// JoinPath escapes each segment as exactly one path segment and joins them
// with "/", for Request.Path: JoinPath("organizations", "org/../x") is
// "organizations/org%2F..%2Fx". An empty segment, "." or "..", or one with
// control characters is a *ValidationError (Param "path"), so that no ID can
// change which endpoint is called.
func JoinPath(segments ...string) (string, error) {
	if len(segments) == 0 {
		return "", &ValidationError{Param: "path", Message: "needs at least one segment"}
	}
	var b strings.Builder
	for i, seg := range segments {
		if problem := segmentProblem(seg); problem != "" {
			return "", &ValidationError{Param: "path", Message: "segment " + strconv.Itoa(i+1) + " " + problem}
		}
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(url.PathEscape(seg))
	}
	return b.String(), nil
}

// reservedHeaders are the headers the Client sets itself, in canonical form.
var reservedHeaders = []string{"Authorization", "Clerk-Api-Version", "User-Agent", "Accept", "Content-Type"}

// checkHeader rejects one of the client's own headers, a malformed header
// name, or a value with control characters (which could smuggle a header).
func checkHeader(h http.Header) error {
	for name, values := range h {
		canonical := http.CanonicalHeaderKey(name)
		for _, reserved := range reservedHeaders {
			if canonical == reserved {
				return &ValidationError{Param: "header", Message: reserved + " is set by the client and cannot be set per request"}
			}
		}
		if name == "" || strings.IndexFunc(name, notTokenChar) >= 0 {
			return &ValidationError{Param: "header", Message: strconv.Quote(name) + " is not a valid header name"}
		}
		for _, v := range values {
			if strings.IndexFunc(v, isHeaderControl) >= 0 {
				return &ValidationError{Param: "header", Message: "the value of " + canonical + " contains control characters"}
			}
		}
	}
	return nil
}

// checkMethod accepts an HTTP method: one or more upper-case letters.
func checkMethod(method string) error {
	if method == "" {
		return &ValidationError{Param: "method", Message: "is required, such as http.MethodGet"}
	}
	for _, r := range method {
		if r < 'A' || r > 'Z' {
			return &ValidationError{Param: "method", Message: strconv.Quote(method) + " is not an upper-case HTTP method"}
		}
	}
	return nil
}

// checkPath accepts an escaped path relative to the base URL: segments of
// RFC 3986 path characters and %XX escapes, none empty, none "." or ".."
// (escaped or not). Anything else could leave the base URL's path, reach
// another endpoint, or carry a query.
func checkPath(path string) error {
	if path == "" {
		return &ValidationError{Param: "path", Message: "is required; build it with JoinPath"}
	}
	if path[0] == '/' {
		return &ValidationError{Param: "path", Message: "must be relative to the base URL, without a leading slash"}
	}
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "" {
			return &ValidationError{Param: "path", Message: "must not have an empty segment"}
		}
		for i := 0; i < len(seg); i++ {
			ch := seg[i]
			if ch == '%' {
				if i+2 >= len(seg) || !isHex(seg[i+1]) || !isHex(seg[i+2]) {
					return &ValidationError{Param: "path", Message: "has a malformed % escape; build it with JoinPath"}
				}
				i += 2
				continue
			}
			if !isPathChar(ch) {
				return &ValidationError{Param: "path", Message: "must be escaped: " + strconv.QuoteRune(rune(ch)) + " is not allowed; build it with JoinPath"}
			}
		}
		if v, _ := url.PathUnescape(seg); v == "." || v == ".." {
			return &ValidationError{Param: "path", Message: `must not have a "." or ".." segment`}
		}
	}
	return nil
}

// isPathChar reports whether ch may appear unescaped in a path segment
// (RFC 3986 pchar, without "%").
func isPathChar(ch byte) bool {
	switch {
	case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', '0' <= ch && ch <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@", ch) >= 0
}

func isHex(ch byte) bool {
	return '0' <= ch && ch <= '9' || 'a' <= ch && ch <= 'f' || 'A' <= ch && ch <= 'F'
}

// notTokenChar reports whether r may not appear in a header name (RFC 9110 token).
func notTokenChar(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return false
	}
	return !strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

// isHeaderControl reports whether r may not appear in a header value: a
// control character other than horizontal tab.
func isHeaderControl(r rune) bool { return r != '\t' && isControl(r) }
