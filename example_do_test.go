package clerk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"time"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
	"golang.org/x/time/rate"
)

// Do calls an endpoint this module does not cover, GET /organizations/{id},
// with everything the membership methods have: authentication, retries,
// the limiter, middleware and *APIError. clerktest.Server.Handle stands in
// for the endpoint here.
func ExampleClient_Do() {
	srv := clerktest.NewServer()
	defer srv.Close()
	srv.Handle("GET /v1/organizations/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"object": "organization", "id": r.PathValue("id"), "name": "Acme Corp", "slug": "acme-corp"})
	}))
	client := srv.Client()

	path, err := clerk.JoinPath("organizations", "org_123")
	if err != nil {
		log.Fatal(err)
	}
	var org clerk.Organization
	resp, err := client.Do(context.Background(), &clerk.Request{
		Operation: "GetOrganization", // Clerk's operationId, for logs, metrics and traces
		Method:    http.MethodGet,
		Path:      path,
	}, &org)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, org.ID, org.Name)
	// Output: 200 org_123 Acme Corp
}

func ExampleJoinPath() {
	path, err := clerk.JoinPath("organizations", "org_1/../../users", "memberships")
	fmt.Println(path, err)

	_, err = clerk.JoinPath("organizations", "..")
	fmt.Println(err)
	// Output:
	// organizations/org_1%2F..%2F..%2Fusers/memberships <nil>
	// clerk: invalid path: segment 2 must not be ".."
}

// A middleware that logs one line per call, whatever its retries, named by
// operation, a label with few values that suits metrics too.
func ExampleWithMiddleware() {
	srv := clerktest.NewServer()
	defer srv.Close()
	orgID := srv.AddOrganization("Acme Corp")
	srv.InjectFault(clerktest.Fault{Method: "GET", Status: 503, Header: http.Header{"Retry-After": {"0"}}})

	logCalls := func(next clerk.Handler) clerk.Handler {
		return func(ctx context.Context, req *clerk.Request) (*clerk.Response, error) {
			start := time.Now()
			resp, err := next(ctx, req)
			status, attempts := 0, 0
			if resp != nil { // nil when no response arrived
				status, attempts = resp.StatusCode, resp.Attempts
			}
			_ = time.Since(start) // a latency histogram would observe this, labelled by operation
			fmt.Printf("%s: status %d after %d attempts, error: %v\n", clerk.OperationName(ctx), status, attempts, err)
			return resp, err
		}
	}
	client := srv.Client(clerk.WithMiddleware(logCalls))
	if _, _, err := client.OrganizationMemberships.List(context.Background(), orgID, nil); err != nil {
		log.Fatal(err)
	}
	// Output: ListOrganizationMemberships: status 200 after 2 attempts, error: <nil>
}

// Two clients (for two tenants of an internal SDK, say) share one budget
// against the same Clerk instance. A Limiter backed by a shared store, such
// as Redis, does the same for a fleet of processes.
func ExampleWithLimiter() {
	srv := clerktest.NewServer()
	defer srv.Close()

	budget := rate.NewLimiter(rate.Limit(99.9), 1) // Clerk production: 1000 requests per 10 s
	billing := srv.Client(clerk.WithLimiter(budget), clerk.WithUserAgent("billing/1.0"))
	directory := srv.Client(clerk.WithLimiter(budget), clerk.WithUserAgent("directory/3.2"))

	for _, c := range []*clerk.Client{billing, directory} {
		if _, _, err := c.OrganizationMemberships.ListForInstance(context.Background(), nil); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(srv.CountRequests("GET", "/v1/organization_memberships"), "requests from one budget")
	// Output: 2 requests from one budget
}

func ExampleOrganizationMembershipsService_ListForUser() {
	srv := clerktest.NewServer()
	defer srv.Close()
	jane := srv.AddUser(clerktest.User{FirstName: "Jane"})
	srv.AddMembership(srv.AddOrganization("Acme Corp"), jane, "org:admin")
	srv.AddMembership(srv.AddOrganization("Globex"), jane, "org:member")
	client := srv.Client()

	page, _, err := client.OrganizationMemberships.ListForUser(context.Background(), jane, &clerk.ListUserOrganizationMembershipsParams{Limit: 100})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range page.Data {
		fmt.Println(m.Organization.Name, m.Role)
	}
	// Output:
	// Globex org:member
	// Acme Corp org:admin
}
