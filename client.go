package clerk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

const (
	// DefaultBaseURL is the address of Clerk's Backend API, version 1.
	DefaultBaseURL = "https://api.clerk.com/v1/"

	// DefaultAPIVersion is the Clerk API version the client asks for in the
	// Clerk-API-Version header unless WithAPIVersion says otherwise.
	DefaultAPIVersion = "2026-05-12"

	// Version is the version of this module, sent in the User-Agent header.
	Version = "0.1.0"
)

// defaultPageConcurrency is how many pages All and AllForInstance fetch at
// once unless WithPageConcurrency says otherwise.
const defaultPageConcurrency = 4

// A Client talks to Clerk's Backend API. Create one with NewClient or
// NewClientFromEnv. A Client is immutable and safe for concurrent use; share
// one per secret key so that connections and the rate limiter are shared.
type Client struct {
	// OrganizationMemberships holds the seven organization-membership
	// operations and their iterators.
	OrganizationMemberships *OrganizationMembershipsService
	// OrganizationInvitations holds the organization-invitation operations
	// and their iterators.
	OrganizationInvitations *OrganizationInvitationsService
	// Users finds the instance's users, such as by email address.
	Users *UsersService

	baseURL         string       // absolute, always ending in "/"
	headers         http.Header  // sent with every request, the secret key included; never logged or printed
	bodyHeaders     http.Header  // headers plus Content-Type, for requests with a body
	httpClient      *http.Client // the caller's or ours, behind attemptTransport
	limiter         Limiter      // nil sends at once
	retry           RetryPolicy
	logger          *slog.Logger // nil logs nothing
	pageConcurrency int
	handler         Handler // the middleware chain around send
}

// BaseURL returns the base URL requests are sent to, as configured, ending
// in "/".
func (c *Client) BaseURL() string { return c.baseURL }

// APIVersion returns the Clerk API version sent in the Clerk-Api-Version
// header.
func (c *Client) APIVersion() string { return c.headers.Get("Clerk-Api-Version") }

// String describes the Client without its secret key, so that printing one
// by mistake, with %v or %+v, leaks nothing.
func (c *Client) String() string {
	return "clerk.Client{BaseURL: " + c.baseURL + ", APIVersion: " + c.headers.Get("Clerk-Api-Version") + ", SecretKey: [redacted]}"
}

// GoString is String for %#v.
func (c *Client) GoString() string { return c.String() }

// config collects what the options set before NewClient builds the Client.
type config struct {
	baseURL         string
	httpClient      *http.Client
	retry           RetryPolicy
	logger          *slog.Logger
	userAgentSuffix string
	apiVersion      string
	pageConcurrency int
	limiter         Limiter
	middleware      []Middleware
}

// An Option configures a Client. Options check their input; NewClient returns
// the first error an option reports.
type Option func(*config) error

// RetryPolicy says how often and how patiently a Client retries an attempt
// that failed in a way that is safe to repeat. See the package documentation
// for which failures are retried for which methods.
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt;
	// 0 disables retrying.
	MaxRetries int
	// MinWait is the shortest wait between two attempts.
	MinWait time.Duration
	// MaxWait is the longest wait between two attempts, and the longest
	// Retry-After the client will wait out. A 429 asking for a longer wait is
	// returned at once as an *APIError with RetryAfter set.
	MaxWait time.Duration
}

// DefaultRetryPolicy is the retry policy of a Client made without
// WithRetryPolicy.
var DefaultRetryPolicy = RetryPolicy{MaxRetries: 3, MinWait: 500 * time.Millisecond, MaxWait: 30 * time.Second}

// NewClient returns a Client that authenticates with secretKey (an sk_live_
// or sk_test_ key from the Clerk dashboard). It returns an error, which never
// contains the key, when the key is empty or malformed or an option is invalid.
func NewClient(secretKey string, opts ...Option) (*Client, error) {
	if secretKey == "" {
		return nil, errors.New("clerk: the secret key is empty; pass the sk_... key from the Clerk dashboard")
	}
	if strings.IndexFunc(secretKey, isSpaceOrControl) >= 0 {
		return nil, errors.New("clerk: the secret key contains white space or control characters; check how it was loaded")
	}
	cfg := config{
		baseURL:         DefaultBaseURL,
		retry:           DefaultRetryPolicy,
		apiVersion:      DefaultAPIVersion,
		pageConcurrency: defaultPageConcurrency,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}

	headers := http.Header{
		"Authorization":     {"Bearer " + secretKey},
		"Clerk-Api-Version": {cfg.apiVersion},
		"Accept":            {"application/json"},
		"User-Agent":        {userAgent(cfg.userAgentSuffix)},
	}
	bodyHeaders := headers.Clone()
	bodyHeaders.Set("Content-Type", "application/json")
	c := &Client{
		baseURL:         cfg.baseURL,
		headers:         headers,
		bodyHeaders:     bodyHeaders,
		httpClient:      attemptClient(cfg.httpClient),
		limiter:         cfg.limiter,
		retry:           cfg.retry,
		logger:          cfg.logger,
		pageConcurrency: cfg.pageConcurrency,
	}
	c.handler = c.send
	for i := len(cfg.middleware) - 1; i >= 0; i-- {
		if c.handler = cfg.middleware[i](c.handler); c.handler == nil {
			return nil, fmt.Errorf("clerk: WithMiddleware: middleware %d returned a nil Handler", i+1)
		}
	}
	c.OrganizationMemberships = &OrganizationMembershipsService{client: c}
	c.OrganizationInvitations = &OrganizationInvitationsService{client: c}
	c.Users = &UsersService{client: c}
	return c, nil
}

// NewClientFromEnv returns a Client configured from the environment:
// CLERK_SECRET_KEY holds the secret key, and CLERK_API_URL, when set,
// overrides the base URL (a URL with no path, such as https://api.clerk.com,
// gets Clerk's /v1/ appended). Options given here override the environment.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	key := os.Getenv("CLERK_SECRET_KEY")
	if key == "" {
		return nil, errors.New("clerk: CLERK_SECRET_KEY is not set")
	}
	if raw := os.Getenv("CLERK_API_URL"); raw != "" {
		u, err := url.Parse(raw)
		if err == nil && (u.Path == "" || u.Path == "/") {
			raw = strings.TrimSuffix(raw, "/") + "/v1/"
		}
		opts = append([]Option{WithBaseURL(raw)}, opts...)
	}
	return NewClient(key, opts...)
}

// WithBaseURL sends requests to rawURL instead of DefaultBaseURL, for example
// to a clerktest.Server or a proxy. The URL must be absolute and use https;
// plain http is accepted only for loopback hosts (localhost, 127.0.0.0/8, ::1).
// It must not carry credentials, a query or a fragment. A trailing slash is
// added when missing.
func WithBaseURL(rawURL string) Option {
	return func(c *config) error {
		u, err := url.Parse(rawURL)
		if err != nil {
			return fmt.Errorf("clerk: WithBaseURL: cannot parse the URL: %w", err)
		}
		switch {
		case u.Host == "":
			return errors.New("clerk: WithBaseURL: the URL must be absolute, such as https://api.clerk.com/v1/")
		case u.Scheme == "http" && !isLoopback(u.Hostname()):
			return errors.New("clerk: WithBaseURL: plain http is allowed only for loopback hosts; use https")
		case u.Scheme != "https" && u.Scheme != "http":
			return fmt.Errorf("clerk: WithBaseURL: unsupported scheme %q; use https", u.Scheme)
		case u.User != nil:
			return errors.New("clerk: WithBaseURL: the URL must not contain credentials; the secret key is sent in the Authorization header")
		case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
			return errors.New("clerk: WithBaseURL: the URL must not have a query or fragment")
		}
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
			if u.RawPath != "" {
				u.RawPath += "/"
			}
		}
		c.baseURL = u.String()
		return nil
	}
}

// WithHTTPClient makes every attempt go through hc, with its Transport and
// its Timeout, which therefore limits each attempt rather than the whole call
// (use the context for that). Build hc's Transport on NewTransport to keep
// the default connection pool's tuning. The Client keeps its own shallow copy of hc and
// refuses redirects whatever hc.CheckRedirect says, so that the secret key is
// never sent to another host.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("clerk: WithHTTPClient: the *http.Client is nil")
		}
		c.httpClient = hc
		return nil
	}
}

// WithRetryPolicy replaces DefaultRetryPolicy. MaxRetries must not be
// negative, MinWait must be positive when retries are enabled, and MaxWait
// must not be shorter than MinWait.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *config) error {
		switch {
		case p.MaxRetries < 0:
			return errors.New("clerk: WithRetryPolicy: MaxRetries must not be negative")
		case p.MaxRetries > 0 && p.MinWait <= 0:
			return errors.New("clerk: WithRetryPolicy: MinWait must be positive when MaxRetries is set")
		case p.MaxWait < p.MinWait:
			return errors.New("clerk: WithRetryPolicy: MaxWait must not be shorter than MinWait")
		}
		c.retry = p
		return nil
	}
}

// WithLogger makes the Client log each attempt at Debug level and each
// scheduled retry at Warn level. Records hold the method, the path without
// its query, the status, the attempt number, the duration and Clerk's trace
// ID; never the secret key, query values, bodies or metadata. A nil logger
// logs nothing, which is also the default.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithUserAgent appends suffix, such as "billing-sync/2.1", to the SDK's own
// User-Agent "clerk-go/<version> go/<go version>".
func WithUserAgent(suffix string) Option {
	return func(c *config) error {
		if strings.IndexFunc(suffix, isControl) >= 0 {
			return errors.New("clerk: WithUserAgent: the suffix contains control characters")
		}
		c.userAgentSuffix = strings.TrimSpace(suffix)
		return nil
	}
}

// WithAPIVersion sends version (a date such as "2025-11-10") in the
// Clerk-API-Version header instead of DefaultAPIVersion.
func WithAPIVersion(version string) Option {
	return func(c *config) error {
		if _, err := time.Parse(time.DateOnly, version); err != nil {
			return fmt.Errorf("clerk: WithAPIVersion: %q is not a date of the form YYYY-MM-DD", version)
		}
		c.apiVersion = version
		return nil
	}
}

// WithPageConcurrency sets how many pages All and AllForInstance may fetch at
// once after the first page (default 4). 1 fetches pages one after another.
// Memberships are always yielded in order.
func WithPageConcurrency(k int) Option {
	return func(c *config) error {
		if k < 1 {
			return fmt.Errorf("clerk: WithPageConcurrency: %d is not a positive number of pages", k)
		}
		c.pageConcurrency = k
		return nil
	}
}

// WithRateLimit makes every HTTP attempt of the Client (retries and
// concurrent pages included) wait for a token of a limiter that allows
// requestsPerSecond on average and burst at once. Waiting honours the call's
// context: a wait that would outlast its deadline is not started.
//
// Such a limiter sends at most burst + requestsPerSecond·w requests in any
// window of w seconds. To stay under a server limit of n requests per w
// seconds, choose burst + requestsPerSecond·w <= n: for Clerk's production
// limit of 1000 per 10 s, WithRateLimit(99.9, 1); for a development
// instance's 100 per 10 s, WithRateLimit(9.9, 1). Share one Client per
// secret key, since Clerk counts per instance.
func WithRateLimit(requestsPerSecond float64, burst int) Option {
	return func(c *config) error {
		if !(requestsPerSecond > 0) || burst < 1 {
			return errors.New("clerk: WithRateLimit: the rate and the burst must be positive")
		}
		c.limiter = &tokenBucket{lim: rate.NewLimiter(rate.Limit(requestsPerSecond), burst)}
		return nil
	}
}

// A Limiter paces HTTP attempts: Wait blocks until an attempt may be sent,
// or returns an error (the context's, or one saying that the wait would
// outlast its deadline), and the attempt is then not sent. *rate.Limiter
// (golang.org/x/time/rate) satisfies it, and so can a limiter shared by many
// processes, such as one backed by Redis, since Clerk counts requests per
// instance, not per process. Wait is called concurrently.
type Limiter interface {
	Wait(ctx context.Context) error
}

// A Throttler is a Limiter that is told when Clerk answers 429 Too Many
// Requests with a Retry-After, so that one shared budget pauses every client
// that uses it, not only the one that was refused. The client calls Throttle
// once per such answer whose Retry-After it would wait out itself (no longer
// than the RetryPolicy's MaxWait), with the call's context, so that
// OperationName(ctx) names the operation refused. A longer Retry-After (an
// hourly invitation budget, say) is not passed on: it would stop every other
// call for that long. The limiter behind WithRateLimit implements it.
type Throttler interface {
	Throttle(ctx context.Context, retryAfter time.Duration)
}

// WithLimiter makes every HTTP attempt of the Client (retries and
// concurrent pages included) wait for l before it is sent. Clients given the
// same Limiter share one budget. WithRateLimit(r, b) is
// WithLimiter(rate.NewLimiter(r, b)); of the two, the last one given wins.
func WithLimiter(l Limiter) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("clerk: WithLimiter: the Limiter is nil")
		}
		c.limiter = l
		return nil
	}
}

// WithMiddleware wraps every call of the Client in mw, the first given
// outermost: each runs once per call (once per page of an iterator), around
// every limiter wait, attempt and backoff of the call. Repeated options
// append. See Middleware.
func WithMiddleware(mw ...Middleware) Option {
	return func(c *config) error {
		for i, m := range mw {
			if m == nil {
				return fmt.Errorf("clerk: WithMiddleware: middleware %d is nil", i+1)
			}
		}
		c.middleware = append(c.middleware, mw...)
		return nil
	}
}

// tokenBucket is the Limiter of WithRateLimit. It reports a wait that would
// outlast the context's deadline as errLimiterDeadline, which wraps
// context.DeadlineExceeded, where rate.Limiter returns an error of its own.
// As a Throttler, it makes every Wait pause until a Retry-After has passed.
type tokenBucket struct {
	lim   *rate.Limiter
	mu    sync.Mutex
	until time.Time // no Wait ends before this
}

func (t *tokenBucket) Wait(ctx context.Context) error {
	t.mu.Lock()
	until := t.until
	t.mu.Unlock()
	if d := time.Until(until); d > 0 {
		if deadline, has := ctx.Deadline(); has && deadline.Before(until) {
			return errLimiterDeadline
		}
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}
	if err := t.lim.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return errLimiterDeadline
	}
	return nil
}

// Throttle makes every Wait that has not ended pause until retryAfter from
// now has passed, unless an earlier Throttle asked for longer.
func (t *tokenBucket) Throttle(_ context.Context, retryAfter time.Duration) {
	if retryAfter <= 0 {
		return
	}
	until := time.Now().Add(retryAfter)
	t.mu.Lock()
	if until.After(t.until) {
		t.until = until
	}
	t.mu.Unlock()
}

// waitLimiter waits for the Client's limiter, if any, on the call's context,
// before an attempt and outside its http.Client.Timeout. A wait that cannot
// end before the context's deadline is reported as one that satisfies
// errors.Is(err, context.DeadlineExceeded), whichever Limiter is used.
func (c *Client) waitLimiter(ctx context.Context) error {
	if c.limiter == nil {
		return nil
	}
	err := c.limiter.Wait(ctx)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errLimiterDeadline):
		return err
	case ctx.Err() != nil && !errors.Is(err, ctx.Err()):
		return fmt.Errorf("waiting for the client-side rate limiter: %w: %w", ctx.Err(), err)
	case ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled):
		if _, ok := c.limiter.(*rate.Limiter); ok {
			// rate.Limiter's "would exceed context deadline" wraps nothing.
			return fmt.Errorf("%w: %w", errLimiterDeadline, err)
		}
	}
	return fmt.Errorf("waiting for the client-side rate limiter: %w", err)
}

// NewTransport returns a new *http.Transport tuned as the one a Client uses
// when WithHTTPClient is not given: at most 50 connections per host, open or
// idle, reused across calls. 50 concurrent requests at 100 ms each are 500
// requests per second, five times Clerk's production rate limit, so more
// connections would only add TLS handshakes; further concurrent calls wait
// for a free connection. Wrap it to observe every attempt, for example with
// otelhttp, and keep the tuning:
//
//	hc := &http.Client{Transport: otelhttp.NewTransport(clerk.NewTransport()), Timeout: 60 * time.Second}
//	client, err := clerk.NewClientFromEnv(clerk.WithHTTPClient(hc))
func NewTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxConnsPerHost = 50
	t.MaxIdleConnsPerHost = 50
	t.MaxIdleConns = 100
	return t
}

// defaultHTTPClient returns the client used when WithHTTPClient is not
// given: NewTransport, and up to 60 seconds per attempt.
func defaultHTTPClient() *http.Client {
	return &http.Client{Transport: NewTransport(), Timeout: 60 * time.Second}
}

// refuseRedirect stops http.Client at the first redirect and hands back the
// 3xx response, which becomes an *APIError: Clerk does not redirect, and
// following one could carry the request somewhere it was not meant to go.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// attemptClient returns the *http.Client each attempt goes through: a copy of
// hc (or of our default) that refuses redirects and sends attempts through
// attemptTransport.
func attemptClient(hc *http.Client) *http.Client {
	if hc == nil {
		hc = defaultHTTPClient()
	}
	cp := *hc
	cp.CheckRedirect = refuseRedirect
	base := cp.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cp.Transport = &attemptTransport{base: base}
	return &cp
}

// attemptTransport wraps the caller's transport for two reasons. It stops an
// attempt whose wait for the client-side rate limiter failed (the wait itself
// happens before http.Client.Do, so that Timeout never covers it). And it
// hides the base transport's CloseIdleConnections: go-retryablehttp calls it
// after every call that fails, which would empty a connection pool shared by
// every other call in flight.
type attemptTransport struct {
	base http.RoundTripper
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if cl, ok := req.Context().Value(callKey{}).(*call); ok && cl.limitErr != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, cl.limitErr
	}
	return t.base.RoundTrip(req)
}

// errLimiterDeadline is returned, before anything is sent, when the wait for
// the client-side rate limiter would outlast the context's deadline.
var errLimiterDeadline = fmt.Errorf("waiting for the client-side rate limiter would outlast the context's deadline: %w", context.DeadlineExceeded)

func userAgent(suffix string) string {
	ua := "clerk-go/" + Version + " go/" + strings.TrimPrefix(runtime.Version(), "go")
	if suffix != "" {
		ua += " " + suffix
	}
	return ua
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func isSpaceOrControl(r rune) bool { return isControl(r) || r == ' ' }
