package clerk

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDoSendsTheRequestWithTheClientsHeadersAndDecodesTheAnswer(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{jsonResponder(200, `{"object":"organization","id":"org_1","name":"Acme"}`, "Clerk-Trace-Id", "tr_1")},
		WithUserAgent("tenants-sdk/1.0"))
	var org Organization
	resp, err := c.Do(context.Background(), &Request{
		Operation: "UpdateOrganization",
		Method:    http.MethodPatch,
		Path:      "organizations/org_1",
		Query:     url.Values{"expand": {"a", "b"}},
		Header:    http.Header{"idempotency-key": {"k1"}},
		Body:      map[string]any{"name": "Acme", "max_allowed_memberships": 5},
	}, &org)
	require.NoError(t, err)
	assert.Equal(t, "Acme", org.Name)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "tr_1", resp.TraceID)
	assert.Equal(t, 1, resp.Attempts)

	reqs := api.Requests()
	require.Len(t, reqs, 1)
	got := reqs[0]
	assert.Equal(t, "PATCH", got.Method)
	assert.Equal(t, "api.clerk.test", got.Host)
	assert.Equal(t, "/v1/organizations/org_1", got.Path)
	assert.Equal(t, "expand=a&expand=b", got.Query)
	assert.Equal(t, `{"max_allowed_memberships":5,"name":"Acme"}`, got.Body)
	assert.Equal(t, "k1", got.Header.Get("Idempotency-Key"))
	assert.Equal(t, "Bearer "+testKey, got.Header.Get("Authorization"))
	assert.Equal(t, DefaultAPIVersion, got.Header.Get("Clerk-Api-Version"))
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.Equal(t, "application/json", got.Header.Get("Accept"))
	assert.True(t, strings.HasSuffix(got.Header.Get("User-Agent"), " tenants-sdk/1.0"))
}

func TestDoSendsARawMessageBodyByteForByte(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{ok(`{}`)})
	body := json.RawMessage(`{"b": 9007199254740993, "a": [1, 2]}`)
	_, err := c.Do(context.Background(), &Request{Operation: "X", Method: http.MethodPost, Path: "x", Body: body}, nil)
	require.NoError(t, err)
	assert.Equal(t, string(body), api.Requests()[0].Body)
}

func TestDoWithANilValueDiscardsTheBody(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{ok(`not json at all`)})
	resp, err := c.Do(context.Background(), &Request{Operation: "X", Method: http.MethodDelete, Path: "x/1"}, nil)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Len(t, api.Requests(), 1)
	assert.Empty(t, api.Requests()[0].Header.Get("Content-Type"), "no Content-Type without a body")
}

func TestDoDoesNotModifyTheCallersRequest(t *testing.T) {
	c, _ := newMockClient(t, []httpmock.Responder{ok(`{}`)}, WithMiddleware(func(next Handler) Handler {
		return func(ctx context.Context, req *Request) (*Response, error) {
			req.Header.Set("X-Added", "1")
			req.Query.Set("added", "1")
			return next(ctx, req)
		}
	}))
	req := &Request{Operation: "X", Method: http.MethodGet, Path: "x", Query: url.Values{"a": {"1"}}}
	_, err := c.Do(context.Background(), req, nil)
	require.NoError(t, err)
	assert.Nil(t, req.Header)
	assert.Equal(t, url.Values{"a": {"1"}}, req.Query)
}

func TestDoRetriesByMethodAsTheMembershipMethodsDo(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		attempts int
	}{
		{"GET is retried after a 503", http.MethodGet, 2},
		{"PUT is retried after a 503", http.MethodPut, 2},
		{"POST is not retried after a 503: the server may have acted", http.MethodPost, 1},
		{"an unknown method is not retried after a 503, like POST", "PURGE", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, api := newMockClient(t, []httpmock.Responder{status(503), ok(`{}`)})
			resp, err := c.Do(context.Background(), &Request{Operation: "X", Method: tt.method, Path: "x"}, nil)
			assert.Equal(t, tt.attempts, resp.Attempts)
			assert.Len(t, api.Requests(), tt.attempts)
			if tt.attempts == 1 {
				assert.ErrorIs(t, err, ErrServer)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

func TestDoReturnsAnAPIErrorNamingTheOperation(t *testing.T) {
	c, _ := newMockClient(t, []httpmock.Responder{jsonResponder(404, `{"errors":[{"code":"resource_not_found","message":"not found","long_message":"Given organization not found."}],"clerk_trace_id":"tr_9"}`)})
	resp, err := c.Do(context.Background(), &Request{Operation: "GetOrganization", Method: http.MethodGet, Path: "organizations/org_9"}, &Organization{})
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, "tr_9", apiErr.TraceID)
	assert.Equal(t, 404, resp.StatusCode)
	assert.Same(t, resp, apiErr.Response)

	c, _ = newMockClient(t, []httpmock.Responder{ok(`{"id":`)})
	_, err = c.Do(context.Background(), &Request{Operation: "GetOrganization", Method: http.MethodGet, Path: "organizations/org_9"}, &Organization{})
	assert.ErrorContains(t, err, "clerk: GetOrganization: decoding the 200 response: ")
}

func TestInvalidRequestsToDoAreValidationErrorsAndNothingIsSent(t *testing.T) {
	valid := func() *Request {
		return &Request{Operation: "GetOrganization", Method: http.MethodGet, Path: "organizations/org_1"}
	}
	with := func(change func(r *Request)) *Request {
		r := valid()
		change(r)
		return r
	}
	var nilCtx context.Context
	tests := []struct {
		name  string
		ctx   context.Context
		req   *Request
		param string
	}{
		{"a nil request", context.Background(), nil, "request"},
		{"a nil context", nilCtx, valid(), "ctx"},
		{"an empty operation", context.Background(), with(func(r *Request) { r.Operation = "" }), "operation"},
		{"an empty method", context.Background(), with(func(r *Request) { r.Method = "" }), "method"},
		{"a lower-case method", context.Background(), with(func(r *Request) { r.Method = "get" }), "method"},
		{"a method with a space", context.Background(), with(func(r *Request) { r.Method = "GET /x HTTP/1.1\r\n" }), "method"},
		{"an empty path", context.Background(), with(func(r *Request) { r.Path = "" }), "path"},
		{"a path with a leading slash", context.Background(), with(func(r *Request) { r.Path = "/organizations/org_1" }), "path"},
		{"a protocol-relative path", context.Background(), with(func(r *Request) { r.Path = "//evil.example/x" }), "path"},
		{"a path with a dot-dot segment", context.Background(), with(func(r *Request) { r.Path = "organizations/../users" }), "path"},
		{"a path with an escaped dot-dot segment", context.Background(), with(func(r *Request) { r.Path = "organizations/%2E%2e/users" }), "path"},
		{"a path with a dot segment", context.Background(), with(func(r *Request) { r.Path = "organizations/./org_1" }), "path"},
		{"a path with an empty segment", context.Background(), with(func(r *Request) { r.Path = "organizations//org_1" }), "path"},
		{"a path with a query", context.Background(), with(func(r *Request) { r.Path = "organizations?limit=1" }), "path"},
		{"a path with a fragment", context.Background(), with(func(r *Request) { r.Path = "organizations#x" }), "path"},
		{"a path with a control character", context.Background(), with(func(r *Request) { r.Path = "organizations/org\n1" }), "path"},
		{"a path with a space", context.Background(), with(func(r *Request) { r.Path = "organizations/org 1" }), "path"},
		{"a path with a malformed escape", context.Background(), with(func(r *Request) { r.Path = "organizations/org%zz" }), "path"},
		{"an absolute URL as the path", context.Background(), with(func(r *Request) { r.Path = "https://evil.example/x" }), "path"},
		{"an Authorization header", context.Background(), with(func(r *Request) { r.Header = http.Header{"Authorization": {"Bearer other"}} }), "header"},
		{"a lower-case authorization header", context.Background(), with(func(r *Request) { r.Header = http.Header{"authorization": {"Bearer other"}} }), "header"},
		{"a Clerk-API-Version header", context.Background(), with(func(r *Request) { r.Header = http.Header{"CLERK-API-VERSION": {"2020-01-01"}} }), "header"},
		{"a User-Agent header", context.Background(), with(func(r *Request) { r.Header = http.Header{"user-agent": {"x"}} }), "header"},
		{"an Accept header", context.Background(), with(func(r *Request) { r.Header = http.Header{"Accept": {"text/html"}} }), "header"},
		{"a Content-Type header", context.Background(), with(func(r *Request) { r.Header = http.Header{"content-type": {"text/plain"}} }), "header"},
		{"a header value with a line break", context.Background(), with(func(r *Request) { r.Header = http.Header{"X-A": {"1\r\nX-B: 2"}} }), "header"},
		{"a header name with a colon", context.Background(), with(func(r *Request) { r.Header = http.Header{"X-A: 1": {"2"}} }), "header"},
		{"a body that cannot be JSON", context.Background(), with(func(r *Request) { r.Body = map[string]any{"f": func() {}} }), "body"},
		{"a raw body that is not JSON", context.Background(), with(func(r *Request) { r.Body = json.RawMessage(`{"a":`) }), "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			c, api := newMockClient(t, []httpmock.Responder{ok(`{}`)}, WithMiddleware(func(next Handler) Handler {
				return func(ctx context.Context, req *Request) (*Response, error) {
					calls++
					return next(ctx, req)
				}
			}))
			resp, err := c.Do(tt.ctx, tt.req, nil)
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tt.param, verr.Param)
			assert.Nil(t, resp)
			assert.Empty(t, api.Requests(), "nothing may be sent")
			assert.Zero(t, calls, "no middleware runs for an invalid request")
		})
	}
}

func TestJoinPathEscapesEachSegmentAsExactlyOne(t *testing.T) {
	tests := []struct {
		name     string
		segments []string
		want     string
	}{
		{"plain IDs are joined with slashes", []string{"organizations", "org_1", "memberships"}, "organizations/org_1/memberships"},
		{"a slash inside an ID is escaped", []string{"organizations", "org_1/../users"}, "organizations/org_1%2F..%2Fusers"},
		{"a question mark and a hash are escaped", []string{"users", "a?b#c"}, "users/a%3Fb%23c"},
		{"a percent sign is escaped", []string{"users", "100%"}, "users/100%25"},
		{"spaces and non-ASCII are escaped", []string{"users", "Zoë K"}, "users/Zo%C3%AB%20K"},
		{"three dots are just a name", []string{"users", "..."}, "users/..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := JoinPath(tt.segments...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.NoError(t, checkPath(got), "what JoinPath builds, Do accepts")
		})
	}
}

func TestJoinPathRefusesSegmentsThatCannotBeOne(t *testing.T) {
	tests := []struct {
		name     string
		segments []string
		message  string
	}{
		{"no segments", nil, "clerk: invalid path: needs at least one segment"},
		{"an empty segment", []string{"organizations", ""}, "clerk: invalid path: segment 2 must not be empty"},
		{"a dot-dot segment", []string{"organizations", ".."}, `clerk: invalid path: segment 2 must not be ".."`},
		{"a dot segment", []string{".", "x"}, `clerk: invalid path: segment 1 must not be "."`},
		{"a control character", []string{"users", "a\x00b"}, "clerk: invalid path: segment 2 must not contain control characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := JoinPath(tt.segments...)
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, "path", verr.Param)
			assert.EqualError(t, err, tt.message)
			assert.Empty(t, got)
		})
	}
}

func TestBaseURLAndAPIVersionReportTheConfiguration(t *testing.T) {
	c, err := NewClient(testKey, WithBaseURL("https://clerk.internal.example/proxy/v1"), WithAPIVersion("2025-11-10"))
	require.NoError(t, err)
	assert.Equal(t, "https://clerk.internal.example/proxy/v1/", c.BaseURL())
	assert.Equal(t, "2025-11-10", c.APIVersion())

	c, err = NewClient(testKey)
	require.NoError(t, err)
	assert.Equal(t, DefaultBaseURL, c.BaseURL())
	assert.Equal(t, DefaultAPIVersion, c.APIVersion())
}
