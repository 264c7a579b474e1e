package clerk

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNonSuccessResponsesBecomeAPIErrors(t *testing.T) {
	tests := []struct {
		name       string
		responder  httpmock.Responder
		sentinel   error
		wantErrors []ErrorDetail
		wantTrace  string
		wantText   string
		attempts   int // 0 means 1: not retried
	}{
		{
			name:       "Clerk JSON with a trace ID in the body",
			responder:  jsonResponder(404, `{"errors":[{"message":"not found","long_message":"Given organization not found.","code":"resource_not_found"}],"clerk_trace_id":"abc123"}`),
			sentinel:   ErrNotFound,
			wantErrors: []ErrorDetail{{Code: "resource_not_found", Message: "not found", LongMessage: "Given organization not found."}},
			wantTrace:  "abc123",
			wantText:   "clerk: 404 Not Found: resource_not_found: Given organization not found. (trace abc123)",
		},
		{
			name: "Clerk JSON with meta and the trace ID in a header, which wins",
			responder: jsonResponder(422, `{"errors":[{"message":"is missing","long_message":"role must be included.","code":"form_param_missing","meta":{"param_name":"role"}},{"message":"is unknown","long_message":"","code":"form_param_unknown"}],"clerk_trace_id":"body-trace"}`,
				"Clerk-Trace-Id", "header-trace"),
			sentinel: ErrUnprocessable,
			wantErrors: []ErrorDetail{
				{Code: "form_param_missing", Message: "is missing", LongMessage: "role must be included.", Meta: []byte(`{"param_name":"role"}`)},
				{Code: "form_param_unknown", Message: "is unknown"},
			},
			wantTrace: "header-trace",
			wantText:  "clerk: 422 Unprocessable Entity: form_param_missing: role must be included.; form_param_unknown: is unknown (trace header-trace)",
		},
		{
			name:      "a proxy's HTML page",
			responder: httpmock.NewStringResponder(502, "<html><body><h1>502 Bad Gateway</h1></body></html>"),
			sentinel:  ErrServer,
			wantText:  "clerk: 502 Bad Gateway",
			attempts:  4, // a 502 is retried, and the last one returned
		},
		{
			name:      "an empty body",
			responder: httpmock.NewStringResponder(401, ""),
			sentinel:  ErrUnauthorized,
			wantText:  "clerk: 401 Unauthorized",
		},
		{
			name:       "an empty errors array",
			responder:  jsonResponder(403, `{"errors":[]}`),
			sentinel:   ErrForbidden,
			wantErrors: []ErrorDetail{},
			wantText:   "clerk: 403 Forbidden",
		},
		{
			name:      "a conflict the spec does not declare",
			responder: jsonResponder(409, `{"errors":[{"message":"managed","long_message":"This membership is managed by a directory and cannot be changed manually.","code":"organization_membership_managed_by_scim"}]}`),
			sentinel:  ErrConflict,
			wantErrors: []ErrorDetail{{Code: "organization_membership_managed_by_scim", Message: "managed",
				LongMessage: "This membership is managed by a directory and cannot be changed manually."}},
			wantText: "clerk: 409 Conflict: organization_membership_managed_by_scim: This membership is managed by a directory and cannot be changed manually.",
		},
		{
			name:       "a 400 whose only message is short",
			responder:  jsonResponder(400, `{"errors":[{"message":"already a member","long_message":"","code":"already_a_member_in_organization"}]}`),
			sentinel:   ErrBadRequest,
			wantErrors: []ErrorDetail{{Code: "already_a_member_in_organization", Message: "already a member"}},
			wantText:   "clerk: 400 Bad Request: already_a_member_in_organization: already a member",
		},
		{
			name: "a redirect, which is refused rather than followed",
			responder: func(req *http.Request) (*http.Response, error) {
				resp := httpmock.NewStringResponse(302, "")
				resp.Header.Set("Location", "https://evil.example/steal")
				return resp, nil
			},
			wantText: "clerk: 302 Found: redirect refused (Clerk does not redirect; check the base URL)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, api := newMockClient(t, []httpmock.Responder{tt.responder})
			m, resp, err := c.OrganizationMemberships.Update(context.Background(), "org_1", "user_1", UpdateOrganizationMembershipParams{Role: "org:admin"})
			assert.Nil(t, m)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.wantText, err.Error())
			assert.Equal(t, resp.StatusCode, apiErr.StatusCode)
			assert.Equal(t, tt.wantErrors, apiErr.Errors)
			assert.Equal(t, tt.wantTrace, apiErr.TraceID)
			assert.Equal(t, tt.wantTrace, resp.TraceID)
			assert.Same(t, resp, apiErr.Response)
			if tt.sentinel != nil {
				assert.ErrorIs(t, err, tt.sentinel)
			}
			for _, other := range []error{ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrConflict, ErrUnprocessable, ErrRateLimited, ErrServer} {
				if other != tt.sentinel {
					assert.NotErrorIs(t, err, other)
				}
			}
			assert.Len(t, api.Requests(), max(tt.attempts, 1))
			assert.Equal(t, max(tt.attempts, 1), resp.Attempts)
		})
	}
}

func TestHasCodeMatchesAnyOfClerksErrors(t *testing.T) {
	e := &APIError{StatusCode: 422, Errors: []ErrorDetail{{Code: "form_param_missing"}, {Code: "form_param_unknown"}}}
	assert.True(t, e.HasCode("form_param_unknown"))
	assert.False(t, e.HasCode("resource_not_found"))
}

func TestRateLimitedErrorCarriesRetryAfterAndMatchesTheSentinel(t *testing.T) {
	c, _ := newMockClient(t, []httpmock.Responder{jsonResponder(429, `{"errors":[{"message":"Too many requests","long_message":"Too many requests, retry later","code":"too_many_requests"}]}`, "Retry-After", "120")})
	_, resp, err := c.OrganizationMemberships.Delete(context.Background(), "org_1", "user_1")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, 2*time.Minute, apiErr.RetryAfter)
	assert.Equal(t, 1, resp.Attempts, "120 s is beyond MaxWait, so the caller decides")
	assert.Equal(t, "clerk: 429 Too Many Requests: too_many_requests: Too many requests, retry later (retry after 2m0s)", err.Error())
}

func TestOnlyTheFirstMebibyteOfAnErrorBodyIsRead(t *testing.T) {
	huge := `{"errors":[{"code":"x","message":"` + strings.Repeat("a", maxErrorBody) + `"}]}`
	c, _ := newMockClient(t, []httpmock.Responder{httpmock.NewStringResponder(400, huge)})
	_, resp, err := c.OrganizationMemberships.Delete(context.Background(), "org_1", "user_1")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Empty(t, apiErr.Errors, "a truncated body does not decode, and is not guessed at")
}

func TestUndecodableSuccessBodyIsAnErrorNamingTheOperation(t *testing.T) {
	c, _ := newMockClient(t, []httpmock.Responder{ok(`{"data": [ not json`)})
	page, resp, err := c.OrganizationMemberships.List(context.Background(), "org_1", nil)
	require.Error(t, err)
	assert.Nil(t, page)
	require.NotNil(t, resp)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Contains(t, err.Error(), "clerk: ListOrganizationMemberships: decoding the 200 response: ")
	var apiErr *APIError
	assert.False(t, errors.As(err, &apiErr), "a 2xx is not an API error")
}

func TestSuccessBodiesAreCappedWhileStreaming(t *testing.T) {
	// A stream of white space never ends a JSON value; the cap must.
	endless := readerFunc(func(p []byte) (int, error) {
		for i := range p {
			p[i] = ' '
		}
		return len(p), nil
	})
	var v any
	err := decodeBody(endless, &v)
	assert.ErrorIs(t, err, errBodyTooLarge)
	assert.Equal(t, "the body exceeds the 32 MiB limit", err.Error())
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func TestValidationErrorReadsAsASentence(t *testing.T) {
	err := &ValidationError{Param: "limit", Message: "must be between 1 and 500"}
	assert.Equal(t, "clerk: invalid limit: must be between 1 and 500", err.Error())
}

func TestParseRetryAfterAcceptsSecondsAndHTTPDates(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header string
		want   time.Duration
		ok     bool
	}{
		{"seconds", "7", 7 * time.Second, true},
		{"zero seconds", "0", 0, true},
		{"an HTTP date in the future", "Thu, 26 Nov 2026 12:00:30 GMT", 30 * time.Second, true},
		{"an HTTP date in the past means no wait", "Thu, 26 Nov 2026 11:00:00 GMT", 0, true},
		{"no header", "", 0, false},
		{"garbage", "soon", 0, false},
		{"a negative number", "-3", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseRetryAfter(tt.header, now)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}
