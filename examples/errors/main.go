// Command errors shows how clerk-go reports what went wrong and how a caller
// tells the cases apart: invalid arguments (nothing is sent), Clerk's error
// codes, retries that succeeded, and a rate limit longer than the client will
// wait, which it hands back to the caller with the wait Clerk asked for.
//
//	go run ./examples/errors
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "errors:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	srv := clerktest.NewServer()
	defer srv.Close()
	org := srv.AddOrganization("Acme")
	jane := srv.AddUser(clerktest.User{FirstName: "Jane"})
	client := srv.Client(clerk.WithRetryPolicy(clerk.RetryPolicy{MaxRetries: 3, MinWait: 10 * time.Millisecond, MaxWait: 2 * time.Second}))
	s := client.OrganizationMemberships

	// 1. Invalid arguments never reach the network.
	_, resp, err := s.Delete(ctx, org, "")
	var verr *clerk.ValidationError
	if errors.As(err, &verr) {
		fmt.Fprintf(out, "validation: param=%s response=%v\n", verr.Param, resp)
	}

	// 2. Clerk's errors: test the status with errors.Is, the code with HasCode.
	_, _, err = s.Create(ctx, org, clerk.CreateOrganizationMembershipParams{UserID: "user_missing", Role: "org:member"})
	fmt.Fprintf(out, "not found: %v\n", errors.Is(err, clerk.ErrNotFound))
	_, _, err = s.Create(ctx, org, clerk.CreateOrganizationMembershipParams{UserID: jane, Role: "org:admin"})
	if err != nil {
		return err
	}
	_, _, err = s.Delete(ctx, org, jane)
	var apiErr *clerk.APIError
	if errors.As(err, &apiErr) && apiErr.HasCode("organization_minimum_permissions_needed") {
		fmt.Fprintf(out, "last admin: %d %s\n", apiErr.StatusCode, apiErr.Errors[0].LongMessage)
	}

	// 3. Passing failures are retried; Response.Attempts tells how many it took.
	srv.InjectFault(clerktest.Fault{Method: http.MethodGet, Times: 2, Status: http.StatusServiceUnavailable})
	_, resp, err = s.List(ctx, org, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "after two 503s: status=%d attempts=%d\n", resp.StatusCode, resp.Attempts)

	// 4. A Retry-After longer than MaxWait comes back at once for the caller to schedule.
	srv.InjectFault(clerktest.Fault{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"60"}}})
	_, _, err = s.List(ctx, org, nil)
	if errors.As(err, &apiErr) && errors.Is(err, clerk.ErrRateLimited) {
		fmt.Fprintf(out, "rate limited: retry after %s\n", apiErr.RetryAfter)
	}
	return nil
}
