package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
)

// traced returns a fake Clerk, a client of it traced into a span recorder,
// and the recorder.
func traced(t *testing.T) (*clerktest.Server, *clerk.Client, *tracetest.SpanRecorder) {
	t.Helper()
	srv := clerktest.NewServer()
	t.Cleanup(srv.Close)
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	client, err := NewTracedClient(srv.SecretKey, tp, clerk.WithBaseURL(srv.URL),
		clerk.WithRetryPolicy(clerk.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond}))
	require.NoError(t, err)
	return srv, client, recorder
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestTwo503sThenSuccessAreOneCallSpanWithThreeAttemptSpans(t *testing.T) {
	srv, client, recorder := traced(t)
	org := srv.AddOrganization("Acme Corp")
	srv.InjectFault(clerktest.Fault{Method: http.MethodGet, Times: 2, Status: http.StatusServiceUnavailable})

	_, resp, err := client.OrganizationMemberships.List(context.Background(), org, nil)
	require.NoError(t, err)
	require.Equal(t, 3, resp.Attempts)

	spans := recorder.Ended()
	require.Len(t, spans, 4)
	var call sdktrace.ReadOnlySpan
	var attempts []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == "clerk ListOrganizationMemberships" {
			call = s
		} else {
			attempts = append(attempts, s)
		}
	}
	require.NotNil(t, call, "one span for the call")
	assert.Equal(t, trace.SpanKindClient, call.SpanKind())
	assert.False(t, call.Parent().IsValid(), "the call span is a root here")
	a := attrs(call)
	assert.Equal(t, "ListOrganizationMemberships", a["clerk.operation"].AsString())
	assert.Equal(t, "GET", a["http.request.method"].AsString())
	assert.Equal(t, int64(200), a["http.response.status_code"].AsInt64())
	assert.Equal(t, int64(3), a["clerk.attempts"].AsInt64())
	assert.Equal(t, resp.TraceID, a["clerk.trace_id"].AsString())
	assert.Equal(t, codes.Unset, call.Status().Code)

	require.Len(t, attempts, 3)
	var statuses []int64
	for _, s := range attempts {
		assert.Equal(t, "HTTP ListOrganizationMemberships attempt", s.Name())
		assert.Equal(t, call.SpanContext().SpanID(), s.Parent().SpanID(), "each attempt is a child of the call")
		assert.Equal(t, call.SpanContext().TraceID(), s.SpanContext().TraceID())
		assert.False(t, s.StartTime().Before(call.StartTime()))
		assert.False(t, s.EndTime().After(call.EndTime()))
		statuses = append(statuses, attrs(s)["http.response.status_code"].AsInt64())
	}
	assert.ElementsMatch(t, []int64{503, 503, 200}, statuses)
	assert.Equal(t, 3, srv.CountRequests("GET", "/v1/organizations/"+org+"/memberships"))
}

func TestAFailedCallSpanRecordsTheError(t *testing.T) {
	srv, client, recorder := traced(t)
	org := srv.AddOrganization("Acme Corp")
	user := srv.AddUser(clerktest.User{FirstName: "Jane"})
	srv.InjectFault(clerktest.Fault{Method: http.MethodPost, Status: http.StatusServiceUnavailable})

	_, _, err := client.OrganizationMemberships.Create(context.Background(), org, clerk.CreateOrganizationMembershipParams{UserID: user, Role: "org:member"})
	require.ErrorIs(t, err, clerk.ErrServer)

	spans := recorder.Ended()
	require.Len(t, spans, 2, "one call span and one attempt span: a Create is not retried after a 503")
	call := spans[1]
	assert.Equal(t, "clerk CreateOrganizationMembership", call.Name())
	assert.Equal(t, codes.Error, call.Status().Code)
	assert.Equal(t, int64(503), attrs(call)["http.response.status_code"].AsInt64())
	assert.Equal(t, int64(1), attrs(call)["clerk.attempts"].AsInt64())
	require.Len(t, call.Events(), 1)
	assert.Equal(t, "exception", call.Events()[0].Name)
	assert.Equal(t, "HTTP CreateOrganizationMembership attempt", spans[0].Name())
	assert.Equal(t, call.SpanContext().SpanID(), spans[0].Parent().SpanID())
}

func TestTheProgramPrintsTheCallWithItsAttemptsNested(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, func(string) string { return "" }))
	got := regexp.MustCompile(`clerk.trace_id=\w+`).ReplaceAllString(out.String(), "clerk.trace_id=X")
	assert.Equal(t, "listed 1 of 1 members\n\n"+
		"clerk ListOrganizationMemberships {clerk.operation=ListOrganizationMemberships http.response.status_code=200 clerk.attempts=3 clerk.trace_id=X}\n"+
		"    HTTP ListOrganizationMemberships attempt {http.response.status_code=503}\n"+
		"    HTTP ListOrganizationMemberships attempt {http.response.status_code=503}\n"+
		"    HTTP ListOrganizationMemberships attempt {http.response.status_code=200}\n", got)
}

func TestTheProgramAsksForAnOrganizationWithARealKey(t *testing.T) {
	env := map[string]string{"CLERK_SECRET_KEY": "sk_test_x"}
	err := run(context.Background(), &bytes.Buffer{}, func(k string) string { return env[k] })
	assert.EqualError(t, err, "with CLERK_SECRET_KEY set, also set CLERK_ORGANIZATION_ID")
}
