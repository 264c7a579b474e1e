// Command otel traces every Clerk call with OpenTelemetry: a span per call
// from a clerk.Middleware, covering retries, backoffs and limiter waits, with
// the operation name, status, attempts and Clerk's trace ID as attributes;
// and, nested under it, an otelhttp span per HTTP attempt, named by
// clerk.OperationName.
//
//	go run ./examples/otel          (from examples/otel: go run .)
//
// It runs against an embedded clerktest server that fails the first two
// attempts of a List with 503, and prints the spans as a tree. With
// CLERK_SECRET_KEY and CLERK_ORGANIZATION_ID set it lists that organization's
// members on the real API instead. A real service would export the spans
// with an OTLP exporter rather than print them.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
)

// instrumentationName names the tracer of the call spans.
const instrumentationName = "github.com/clerkkit/clerk-go"

// Tracing returns a middleware that wraps every call in a client span named
// "clerk <operation>", ended after the call's last attempt. Its attributes
// say what a dashboard needs: clerk.operation, http.request.method,
// http.response.status_code, clerk.attempts and clerk.trace_id (for Clerk
// support). A failed call records its error and sets the span's status.
func Tracing(tp trace.TracerProvider) clerk.Middleware {
	tracer := tp.Tracer(instrumentationName)
	return func(next clerk.Handler) clerk.Handler {
		return func(ctx context.Context, req *clerk.Request) (*clerk.Response, error) {
			ctx, span := tracer.Start(ctx, "clerk "+req.Operation, trace.WithSpanKind(trace.SpanKindClient),
				trace.WithAttributes(
					attribute.String("clerk.operation", req.Operation),
					attribute.String("http.request.method", req.Method),
				))
			defer span.End()
			resp, err := next(ctx, req)
			if resp != nil {
				span.SetAttributes(
					attribute.Int("http.response.status_code", resp.StatusCode),
					attribute.Int("clerk.attempts", resp.Attempts),
					attribute.String("clerk.trace_id", resp.TraceID),
				)
			}
			if err != nil {
				span.RecordError(err)
				span.SetStatus(codes.Error, err.Error())
			}
			return resp, err
		}
	}
}

// TracedHTTPClient returns an *http.Client whose every attempt is an otelhttp
// span named "HTTP <operation> attempt", a child of the call span. It keeps
// the SDK's tuned connection pool (clerk.NewTransport).
func TracedHTTPClient(tp trace.TracerProvider) *http.Client {
	transport := otelhttp.NewTransport(clerk.NewTransport(),
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
			return "HTTP " + clerk.OperationName(r.Context()) + " attempt"
		}))
	return &http.Client{Transport: transport, Timeout: 60 * time.Second}
}

// NewTracedClient returns a client whose calls and attempts are traced with
// tp. opts come first, so that the tracing options are not replaced.
func NewTracedClient(secretKey string, tp trace.TracerProvider, opts ...clerk.Option) (*clerk.Client, error) {
	return clerk.NewClient(secretKey, append(opts,
		clerk.WithMiddleware(Tracing(tp)),
		clerk.WithHTTPClient(TracedHTTPClient(tp)),
	)...)
}

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "otel:", err)
		os.Exit(1)
	}
}

// run is main without the process: the test calls it too.
func run(ctx context.Context, out io.Writer, getenv func(string) string) error {
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	defer tp.Shutdown(context.Background())

	key, orgID := getenv("CLERK_SECRET_KEY"), getenv("CLERK_ORGANIZATION_ID")
	var opts []clerk.Option
	switch {
	case key != "" && orgID == "":
		return errors.New("with CLERK_SECRET_KEY set, also set CLERK_ORGANIZATION_ID")
	case key != "":
		if u := getenv("CLERK_API_URL"); u != "" {
			opts = append(opts, clerk.WithBaseURL(u))
		}
	default:
		srv := clerktest.NewServer()
		defer srv.Close()
		key, orgID = srv.SecretKey, srv.AddOrganization("Acme Corp")
		srv.AddMembership(orgID, srv.AddUser(clerktest.User{FirstName: "Ada"}), clerktest.RoleAdmin)
		srv.InjectFault(clerktest.Fault{Method: http.MethodGet, Times: 2, Status: http.StatusServiceUnavailable})
		opts = append(opts, clerk.WithBaseURL(srv.URL),
			clerk.WithRetryPolicy(clerk.RetryPolicy{MaxRetries: 3, MinWait: 10 * time.Millisecond, MaxWait: time.Second}))
	}
	client, err := NewTracedClient(key, tp, opts...)
	if err != nil {
		return err
	}

	page, _, err := client.OrganizationMemberships.List(ctx, orgID, &clerk.ListOrganizationMembershipsParams{Limit: 10})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "listed %d of %d members\n\n", len(page.Data), page.TotalCount)
	printTree(out, recorder.Ended())
	return nil
}

// printTree prints spans as a tree, children under their parent in start
// order, each with its attributes.
func printTree(out io.Writer, spans []sdktrace.ReadOnlySpan) {
	children := map[trace.SpanID][]sdktrace.ReadOnlySpan{}
	ids := map[trace.SpanID]bool{}
	for _, s := range spans {
		ids[s.SpanContext().SpanID()] = true
	}
	var roots []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if p := s.Parent().SpanID(); ids[p] {
			children[p] = append(children[p], s)
		} else {
			roots = append(roots, s)
		}
	}
	var walk func(s sdktrace.ReadOnlySpan, depth int)
	walk = func(s sdktrace.ReadOnlySpan, depth int) {
		fmt.Fprintf(out, "%s%s %s\n", strings.Repeat("    ", depth), s.Name(), attributes(s))
		kids := children[s.SpanContext().SpanID()]
		sort.Slice(kids, func(i, j int) bool { return kids[i].StartTime().Before(kids[j].StartTime()) })
		for _, k := range kids {
			walk(k, depth+1)
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
}

// attributes formats the attributes worth reading in a terminal.
func attributes(s sdktrace.ReadOnlySpan) string {
	var parts []string
	for _, kv := range s.Attributes() {
		switch kv.Key {
		case "clerk.operation", "http.response.status_code", "clerk.attempts", "clerk.trace_id":
			parts = append(parts, string(kv.Key)+"="+kv.Value.String())
		}
	}
	return "{" + strings.Join(parts, " ") + "}"
}
