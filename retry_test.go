package clerk

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	errRefused = &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	errReset   = &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	errBadCert = &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}
)

func status(code int) httpmock.Responder {
	return jsonResponder(code, `{"errors":[{"code":"c`+http.StatusText(code)+`","message":"m","long_message":"attempt failed"}]}`)
}

func TestWhichFailuresAreRetried(t *testing.T) {
	type op func(s *OrganizationMembershipsService) (*Response, error)
	get := op(func(s *OrganizationMembershipsService) (*Response, error) {
		_, r, err := s.List(context.Background(), "org_1", nil)
		return r, err
	})
	patch := op(func(s *OrganizationMembershipsService) (*Response, error) {
		_, r, err := s.Update(context.Background(), "org_1", "user_1", UpdateOrganizationMembershipParams{Role: "org:admin"})
		return r, err
	})
	del := op(func(s *OrganizationMembershipsService) (*Response, error) {
		_, r, err := s.Delete(context.Background(), "org_1", "user_1")
		return r, err
	})
	post := op(func(s *OrganizationMembershipsService) (*Response, error) {
		_, r, err := s.Create(context.Background(), "org_1", CreateOrganizationMembershipParams{UserID: "user_1", Role: "org:member"})
		return r, err
	})
	success := func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodGet {
			return ok(pageJSON(0))(r)
		}
		return ok(membershipJSON)(r)
	}
	tests := []struct {
		name     string
		op       op
		first    httpmock.Responder
		attempts int // requests the server sees when the second answer is a success
	}{
		{"GET is retried after a 500", get, status(500), 2},
		{"GET is retried after a 502", get, status(502), 2},
		{"GET is retried after a 503", get, status(503), 2},
		{"GET is retried after a 504", get, status(504), 2},
		{"GET is retried after a 429", get, status(429), 2},
		{"GET is not retried after a 501", get, status(501), 1},
		{"GET is not retried after a 404", get, status(404), 1},
		{"GET is not retried after a 400", get, status(400), 1},
		{"GET is retried after a reset connection", get, httpmock.NewErrorResponder(errReset), 2},
		{"GET is retried when the server closes the connection", get, httpmock.NewErrorResponder(io.EOF), 2},
		{"GET is retried after a refused connection", get, httpmock.NewErrorResponder(errRefused), 2},
		{"GET is not retried after a TLS certificate error", get, httpmock.NewErrorResponder(errBadCert), 1},
		{"PATCH is retried after a 503", patch, status(503), 2},
		{"PATCH is retried after a reset connection", patch, httpmock.NewErrorResponder(errReset), 2},
		{"PATCH is not retried after a 409", patch, status(409), 1},
		{"DELETE is retried after a 502", del, status(502), 2},
		{"DELETE is not retried after a 422", del, status(422), 1},
		{"POST is retried after a 429", post, status(429), 2},
		{"POST is retried when no connection was made", post, httpmock.NewErrorResponder(errRefused), 2},
		{"POST is not retried after a 500", post, status(500), 1},
		{"POST is not retried after a 503", post, status(503), 1},
		{"POST is not retried after a reset once sent", post, httpmock.NewErrorResponder(errReset), 1},
		{"POST is not retried when the server closes the connection", post, httpmock.NewErrorResponder(io.EOF), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, api := newMockClient(t, []httpmock.Responder{tt.first, success})
			resp, err := tt.op(c.OrganizationMemberships)
			assert.Len(t, api.Requests(), tt.attempts)
			if tt.attempts == 2 {
				require.NoError(t, err)
				assert.Equal(t, 2, resp.Attempts)
			} else {
				require.Error(t, err)
				if resp != nil {
					assert.Equal(t, 1, resp.Attempts)
				}
			}
		})
	}
}

func TestRetriedRequestsResendTheSameBody(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{status(503), status(502), ok(membershipJSON)})
	_, resp, err := c.OrganizationMemberships.UpdateMetadata(context.Background(), "org_1", "user_1",
		UpdateOrganizationMembershipMetadataParams{PublicMetadata: map[string]any{"k": "v"}})
	require.NoError(t, err)
	assert.Equal(t, 3, resp.Attempts)
	for _, r := range api.Requests() {
		assert.Equal(t, `{"public_metadata":{"k":"v"}}`, r.Body)
		assert.Equal(t, "Bearer "+testKey, r.Header.Get("Authorization"))
	}
}

func TestWhenRetriesRunOutTheLastAPIErrorIsReturnedIntact(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{status(500), status(502), status(504), jsonResponder(503,
		`{"errors":[{"code":"internal_clerk_error","message":"Oops","long_message":"Oops, an unexpected error occurred"}],"clerk_trace_id":"last"}`)})
	_, resp, err := c.OrganizationMemberships.Delete(context.Background(), "org_1", "user_1")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.True(t, apiErr.HasCode("internal_clerk_error"))
	assert.Equal(t, "last", apiErr.TraceID)
	assert.Equal(t, 4, resp.Attempts, "the first attempt and MaxRetries=3 retries")
	assert.Len(t, api.Requests(), 4)
}

func TestWhenRetriesRunOutAfterConnectionErrorsTheErrorIsReturned(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{httpmock.NewErrorResponder(errReset)})
	_, resp, err := c.OrganizationMemberships.Delete(context.Background(), "org_1", "user_1")
	require.Error(t, err)
	assert.Nil(t, resp, "no response ever arrived")
	assert.ErrorIs(t, err, syscall.ECONNRESET)
	assert.True(t, strings.HasPrefix(err.Error(), "clerk: DeleteOrganizationMembership: "), err.Error())
	assert.Len(t, api.Requests(), 4)
}

func TestZeroMaxRetriesDisablesRetrying(t *testing.T) {
	c, api := newMockClient(t, []httpmock.Responder{status(503)}, WithRetryPolicy(RetryPolicy{}))
	_, resp, err := c.OrganizationMemberships.Delete(context.Background(), "org_1", "user_1")
	assert.ErrorIs(t, err, ErrServer)
	assert.Equal(t, 1, resp.Attempts)
	assert.Len(t, api.Requests(), 1)
}

func TestRetryAfterIsHonoured(t *testing.T) {
	policy := RetryPolicy{MaxRetries: 1, MinWait: time.Millisecond, MaxWait: 3 * time.Second}
	c, api := newMockClient(t, []httpmock.Responder{jsonResponder(429, `{"errors":[]}`, "Retry-After", "1"), ok(pageJSON(0))}, WithRetryPolicy(policy))
	start := time.Now()
	_, resp, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), time.Second)
	assert.Equal(t, 2, resp.Attempts)
	assert.Len(t, api.Requests(), 2)
}

func TestAWaitThatWouldOutlastTheDeadlineIsNotStarted(t *testing.T) {
	policy := RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 10 * time.Second}
	c, api := newMockClient(t, []httpmock.Responder{jsonResponder(503, `{"errors":[]}`, "Retry-After", "5")}, WithRetryPolicy(policy))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, resp, err := c.OrganizationMemberships.Delete(ctx, "org_1", "user_1")
	assert.Less(t, time.Since(start), time.Second, "the call returns at once")
	assert.ErrorIs(t, err, ErrServer)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 1, resp.Attempts)
	assert.Len(t, api.Requests(), 1)
}

func TestCancellationDuringAWaitReturnsPromptly(t *testing.T) {
	policy := RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 10 * time.Second}
	c, api := newMockClient(t, []httpmock.Responder{jsonResponder(503, `{"errors":[{"code":"down","message":"m","long_message":"l"}]}`, "Retry-After", "5")}, WithRetryPolicy(policy))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, resp, err := c.OrganizationMemberships.Delete(ctx, "org_1", "user_1")
	assert.Less(t, time.Since(start), time.Second)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, ErrServer, "the last answer is kept in the error")
	assert.Equal(t, "clerk: DeleteOrganizationMembership: context canceled while waiting to retry after: clerk: 503 Service Unavailable: down: l (retry after 5s)", err.Error())
	require.NotNil(t, resp)
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, 1, resp.Attempts)
	assert.Len(t, api.Requests(), 1)
}

func TestHTTPClientTimeoutLimitsEachAttemptNotTheCall(t *testing.T) {
	mt := httpmock.NewMockTransport()
	api := &mockAPI{responders: []httpmock.Responder{ok(pageJSON(0)).Delay(time.Second), ok(pageJSON(0))}}
	mt.RegisterNoResponder(api.respond)
	c, err := NewClient(testKey, WithBaseURL(testBaseURL), WithRetryPolicy(fastRetries),
		WithHTTPClient(&http.Client{Transport: mt, Timeout: 200 * time.Millisecond}))
	require.NoError(t, err)
	_, resp, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts, "the slow first attempt timed out and the second succeeded")
}

func TestBackoffGrowsExponentiallyWithinTheBounds(t *testing.T) {
	p := RetryPolicy{MaxRetries: 10, MinWait: 100 * time.Millisecond, MaxWait: 2 * time.Second}
	for attempts := 1; attempts <= 40; attempts++ {
		ceiling := p.MaxWait
		if attempts <= 5 {
			ceiling = p.MinWait << (attempts - 1) // 100ms, 200ms, 400ms, 800ms, 1.6s
		}
		for range 50 {
			wait, ok := retryWait(p, attempts, nil)
			require.True(t, ok)
			require.GreaterOrEqual(t, wait, max(p.MinWait, ceiling/2), "attempt %d", attempts)
			require.LessOrEqual(t, wait, ceiling, "attempt %d", attempts)
		}
	}
}

func TestRetryAfterSetsTheWaitWithinThePolicy(t *testing.T) {
	p := RetryPolicy{MaxRetries: 3, MinWait: 500 * time.Millisecond, MaxWait: 30 * time.Second}
	header := func(v string) *http.Response { return &http.Response{Header: http.Header{"Retry-After": {v}}} }

	wait, ok := retryWait(p, 1, header("3"))
	assert.True(t, ok)
	assert.Equal(t, 3*time.Second, wait)

	wait, ok = retryWait(p, 1, header("0"))
	assert.True(t, ok)
	assert.Equal(t, p.MinWait, wait, "never less than MinWait")

	_, ok = retryWait(p, 1, header("31"))
	assert.False(t, ok, "longer than MaxWait is not waited out")
}

func TestLogsRecordAttemptsAndRetriesWithoutSecrets(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _ := newMockClient(t, []httpmock.Responder{
		httpmock.NewErrorResponder(errReset),
		jsonResponder(503, `{"errors":[]}`, "Clerk-Trace-Id", "t-503"),
		jsonResponder(200, pageJSON(0), "Clerk-Trace-Id", "t-200"),
	}, WithLogger(logger))
	_, _, err := c.OrganizationMemberships.List(context.Background(), "org_1", &ListOrganizationMembershipsParams{
		EmailAddresses: []string{"jane.secret@example.com"}, PhoneNumberQuery: "5550199",
	})
	require.NoError(t, err)

	out := buf.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 5, out)
	assert.Equal(t, 3, strings.Count(out, `"level":"DEBUG","msg":"clerk: attempt"`))
	assert.Equal(t, 2, strings.Count(out, `"level":"WARN","msg":"clerk: retrying"`))
	for _, line := range lines {
		assert.Contains(t, line, `"operation":"ListOrganizationMemberships"`, "every record names the operation, a label without IDs")
	}
	assert.Contains(t, lines[0], `"method":"GET","path":"/v1/organizations/org_1/memberships","attempt":1`)
	assert.Contains(t, lines[0], `"error":"Get \"https://api.clerk.test/v1/organizations/org_1/memberships\": read tcp: read: connection reset by peer"`)
	assert.Contains(t, lines[1], `"reason":"connection error"`)
	assert.Contains(t, lines[2], `"attempt":2`)
	assert.Contains(t, lines[2], `"status":503,"trace_id":"t-503"`)
	assert.Contains(t, lines[3], `"reason":"503 Service Unavailable"`)
	assert.Contains(t, lines[4], `"status":200,"trace_id":"t-200"`)
	for _, secret := range []string{testKey, "jane.secret", "5550199", "Bearer", "email_address"} {
		assert.NotContains(t, out, secret)
	}
}

func TestNilLoggerLogsNothing(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _ := newMockClient(t, []httpmock.Responder{status(503), ok(pageJSON(0))}, WithLogger(logger), WithLogger(nil))
	_, resp, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts, "a retry happened, which a logger would have recorded")
	assert.Empty(t, buf.String(), "the later WithLogger(nil) switched logging off")
}

func TestErrorsNeverContainTheKeyOrTheQuery(t *testing.T) {
	params := &ListOrganizationMembershipsParams{EmailAddresses: []string{"jane.secret@example.com"}, Query: "5550199"}
	tests := []struct {
		name      string
		responder httpmock.Responder
	}{
		{"a connection error", httpmock.NewErrorResponder(errReset)},
		{"a TLS error", httpmock.NewErrorResponder(errBadCert)},
		{"an API error", status(401)},
		{"a body that does not decode", ok("{")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newMockClient(t, []httpmock.Responder{tt.responder})
			_, _, err := c.OrganizationMemberships.List(context.Background(), "org_1", params)
			require.Error(t, err)
			for _, secret := range []string{testKey, "jane.secret", "5550199", "?"} {
				assert.NotContains(t, err.Error(), secret)
			}
			var ue interface{ Unwrap() error }
			if errors.As(err, &ue) {
				assert.NotContains(t, ue.Unwrap().Error(), "jane.secret")
			}
		})
	}
}
