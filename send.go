package clerk

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// maxSuccessBody caps how much of a 2xx body is decoded. The largest answer
// Clerk gives here is a page of 500 memberships; with the 8 KB limit on each
// of the four metadata objects a membership carries (its own and its
// organization's), that page stays under 20 MiB. A body that exceeds the cap
// is an error, not a truncated result.
const maxSuccessBody = 32 << 20

// maxDrain is how much of an unread body is discarded before closing it, so
// that the connection can be reused; larger remainders close the connection.
const maxDrain = 64 << 10

// call holds what one call learns over its attempts. go-retryablehttp calls
// its methods from a single goroutine, one attempt after another.
type call struct {
	retrying retryablehttp.Client // this call's, so that its hooks can reach the call
	c        *Client
	req      *Request
	logPath  string // the escaped request path, without query, for logs
	attempts int
	started  time.Time     // when the current attempt began; set only for logging
	wait     time.Duration // chosen by checkRetry for backoff to return
	lastResp *http.Response
	lastErr  error // the last attempt's error or *APIError
	limitErr error // the limiter's refusal of the current attempt, which is then not sent
}

// callKey is the context key under which an attempt's request carries its
// *call, for attemptTransport.
type callKey struct{}

// send is the innermost Handler: it sends req, retrying as the Client's
// policy allows, and decodes a 2xx body into the value Do was given. Every
// call of every operation ends here, so authentication, headers, retries,
// logging, decoding and errors live in one place.
func (c *Client) send(ctx context.Context, req *Request) (*Response, error) {
	st := req.state
	if st == nil {
		return nil, errors.New("clerk: a middleware passed on a *Request it built itself; pass on the one it received (it may change its Header)")
	}
	st.sent = true
	if err := checkHeader(req.Header); err != nil {
		return nil, err // a middleware set one of the client's own headers
	}
	target := c.baseURL + req.Path
	if len(req.Query) > 0 {
		target += "?" + req.Query.Encode()
	}
	var raw any // untyped nil: no body
	if st.body != nil {
		raw = st.body
	}
	cl := &call{c: c, req: req}
	hreq, err := retryablehttp.NewRequestWithContext(context.WithValue(ctx, callKey{}, cl), req.Method, target, raw)
	if err != nil {
		return nil, fmt.Errorf("clerk: %s: building the request: %w", req.Operation, redact(err))
	}
	// Each request gets its own copy: net/http and callers may change it.
	// The client's own headers are set last, so nothing can replace them.
	if st.body != nil {
		hreq.Header = c.bodyHeaders.Clone()
	} else {
		hreq.Header = c.headers.Clone()
	}
	for k, vs := range req.Header {
		hreq.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}

	cl.logPath = hreq.URL.EscapedPath()
	cl.retrying = retryablehttp.Client{
		HTTPClient:   c.httpClient,
		RetryMax:     c.retry.MaxRetries,
		CheckRetry:   cl.checkRetry,
		Backoff:      cl.backoff,
		ErrorHandler: passThrough,
		// Logger stays nil: go-retryablehttp's own logger prints every URL.
		RequestLogHook: cl.beforeAttempt,
	}
	resp, err := cl.retrying.Do(hreq)

	if cl.limitErr != nil {
		if resp != nil {
			drainAndClose(resp)
		}
		return nil, fmt.Errorf("clerk: %s: %w", req.Operation, cl.limitErr)
	}
	if err != nil {
		err = fmt.Errorf("clerk: %s: %w", req.Operation, redact(err))
		if cl.lastResp == nil {
			return nil, err
		}
		// The context ended while waiting to retry after an answer (whose
		// body checkRetry has read): report that answer too.
		return cl.response(cl.lastResp), fmt.Errorf("%w while waiting to retry after: %w", err, cl.lastErr)
	}
	out := cl.response(resp)
	if apiErr, ok := cl.lastErr.(*APIError); ok {
		apiErr.Response = out
		return out, apiErr
	}
	defer drainAndClose(resp)
	if st.arrived != nil {
		if err := st.arrived(); err != nil {
			return out, fmt.Errorf("clerk: %s: %w", req.Operation, err)
		}
	}
	if st.into == nil {
		return out, nil // the caller discards the body
	}
	body := io.Reader(resp.Body)
	if st.mayBeEmpty {
		if resp.StatusCode == http.StatusNoContent {
			return out, nil
		}
		br := bufio.NewReader(resp.Body)
		if _, err := br.Peek(1); err == io.EOF {
			return out, nil // an empty body: v stays as it was
		}
		body = br
	}
	if err := decodeBody(body, st.into); err != nil {
		return out, fmt.Errorf("clerk: %s: decoding the %d response: %w", req.Operation, resp.StatusCode, err)
	}
	return out, nil
}

// beforeAttempt is go-retryablehttp's RequestLogHook: it runs before each
// attempt, outside http.Client.Do and so outside its Timeout, and waits for
// the limiter on the call's context. A refusal is kept in limitErr, for
// attemptTransport to stop the attempt with and checkRetry not to retry.
func (st *call) beforeAttempt(_ retryablehttp.Logger, r *http.Request, _ int) {
	st.limitErr = st.c.waitLimiter(r.Context())
	st.started = time.Now()
}

// checkRetry is go-retryablehttp's CheckRetry: it runs after each attempt,
// records what happened, and decides whether to try again. It reads the body
// of every non-2xx response into an *APIError, so that the error survives
// retries, cancellation and the end of the retry budget intact.
func (st *call) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if st.limitErr != nil {
		return false, nil // nothing was sent; never retried
	}
	st.attempts++
	st.lastResp, st.lastErr = resp, err
	if err == nil && (resp.StatusCode < 200 || resp.StatusCode > 299) {
		st.lastErr = newAPIError(resp)
	}
	st.logAttempt(ctx, resp, err)
	st.throttle(ctx, resp)

	reason, ok := retryReason(st.req.Method, resp, err)
	if !ok || st.attempts > st.c.retry.MaxRetries || ctx.Err() != nil {
		return false, nil
	}
	wait, ok := retryWait(st.c.retry, st.attempts, resp)
	if !ok {
		return false, nil // Retry-After beyond MaxWait: the caller decides
	}
	if deadline, has := ctx.Deadline(); has && time.Until(deadline) < wait {
		return false, nil // the wait would outlast the context
	}
	st.wait = wait
	if l := st.c.logger; l != nil {
		l.LogAttrs(ctx, slog.LevelWarn, "clerk: retrying",
			slog.String("operation", st.req.Operation),
			slog.String("method", st.req.Method),
			slog.String("path", st.logPath),
			slog.Int("attempt", st.attempts),
			slog.String("reason", reason),
			slog.Duration("wait", wait))
	}
	return true, nil
}

// throttle tells a limiter that is a Throttler about a 429 whose Retry-After
// the client would wait out itself (no longer than MaxWait), with the call's
// context, so that one shared budget pauses every client that uses it.
func (st *call) throttle(ctx context.Context, resp *http.Response) {
	th, ok := st.c.limiter.(Throttler)
	if !ok || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		return
	}
	ra, has := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	if !has || ra > st.c.retry.MaxWait {
		return
	}
	th.Throttle(ctx, ra)
}

// backoff is go-retryablehttp's Backoff: it returns the wait checkRetry chose.
func (st *call) backoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
	return st.wait
}

func (st *call) logAttempt(ctx context.Context, resp *http.Response, err error) {
	l := st.c.logger
	if l == nil || !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("operation", st.req.Operation),
		slog.String("method", st.req.Method),
		slog.String("path", st.logPath),
		slog.Int("attempt", st.attempts),
		slog.Duration("duration", time.Since(st.started)),
	}
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode), slog.String("trace_id", traceID(resp, st.lastErr)))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", redact(err).Error()))
	}
	l.LogAttrs(ctx, slog.LevelDebug, "clerk: attempt", attrs...)
}

// response wraps resp for the caller; the body has been or will be consumed.
// Its Request is a copy without the Authorization header, so that the secret
// key cannot leak through a Response or an *APIError.
func (st *call) response(resp *http.Response) *Response {
	if r := resp.Request; r != nil && r.Header.Get("Authorization") != "" {
		safe := r.Clone(r.Context())
		safe.Header.Del("Authorization")
		resp.Request = safe
	}
	return &Response{Response: resp, TraceID: traceID(resp, st.lastErr), Attempts: st.attempts}
}

func traceID(resp *http.Response, err error) string {
	if apiErr, ok := err.(*APIError); ok && apiErr.TraceID != "" {
		return apiErr.TraceID
	}
	return resp.Header.Get("Clerk-Trace-Id")
}

// passThrough is go-retryablehttp's ErrorHandler: it returns the last
// response and error as they are, instead of closing the body and replacing
// the error with "giving up after N attempts".
func passThrough(resp *http.Response, err error, _ int) (*http.Response, error) {
	return resp, err
}

// drainAndClose discards a little of what is left of resp's body, so that
// the connection can be reused, closes it, and leaves http.NoBody in its place.
func drainAndClose(resp *http.Response) {
	if resp.Body == nil || resp.Body == http.NoBody {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	resp.Body.Close()
	resp.Body = http.NoBody
}

// redact removes the query string from the URL in a *url.Error, so that no
// error or log line carries list filters (email addresses, phone numbers).
// Nothing else in a transport error can hold the query or the secret key: the
// key travels only in a header, and the base URL cannot hold credentials.
func redact(err error) error {
	ue, ok := err.(*url.Error)
	if !ok {
		return err
	}
	u := ue.URL
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	return &url.Error{Op: ue.Op, URL: u, Err: ue.Err}
}
