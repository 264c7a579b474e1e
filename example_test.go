package clerk_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
)

// The examples run against clerktest, the in-memory Clerk. Against the real
// API, create the client with clerk.NewClientFromEnv() instead.

// setup starts a fake Clerk with an organization whose admin is Ada, and a
// second user, Jane, who is not yet a member.
func setup() (srv *clerktest.Server, client *clerk.Client, orgID, janeID string) {
	srv = clerktest.NewServer()
	orgID = srv.AddOrganization("Acme Corp")
	ada := srv.AddUser(clerktest.User{FirstName: "Ada", EmailAddress: "ada@acme.test"})
	janeID = srv.AddUser(clerktest.User{FirstName: "Jane", EmailAddress: "jane@acme.test"})
	client = srv.Client()
	if _, _, err := client.OrganizationMemberships.Create(context.Background(), orgID,
		clerk.CreateOrganizationMembershipParams{UserID: ada, Role: "org:admin"}); err != nil {
		log.Fatal(err)
	}
	return srv, client, orgID, janeID
}

func ExampleNewClient() {
	client, err := clerk.NewClient("sk_test_...",
		clerk.WithRetryPolicy(clerk.RetryPolicy{MaxRetries: 5, MinWait: time.Second, MaxWait: time.Minute}),
		clerk.WithUserAgent("billing-sync/2.1"),
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = client
	_, err = clerk.NewClient("")
	fmt.Println(err)
	// Output: clerk: the secret key is empty; pass the sk_... key from the Clerk dashboard
}

func ExampleOrganizationMembershipsService_Create() {
	srv, client, orgID, janeID := setup()
	defer srv.Close()

	m, resp, err := client.OrganizationMemberships.Create(context.Background(), orgID, clerk.CreateOrganizationMembershipParams{
		UserID:         janeID,
		Role:           "org:member",
		PublicMetadata: map[string]any{"team": "core"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, m.Role, m.RoleName, string(m.PublicMetadata))

	// Adding her again is an error with Clerk's code.
	_, _, err = client.OrganizationMemberships.Create(context.Background(), orgID, clerk.CreateOrganizationMembershipParams{UserID: janeID, Role: "org:member"})
	var apiErr *clerk.APIError
	if errors.As(err, &apiErr) && apiErr.HasCode("already_a_member_in_organization") {
		fmt.Println("already a member:", errors.Is(err, clerk.ErrBadRequest))
	}
	// Output:
	// 200 org:member Member {"team":"core"}
	// already a member: true
}

func ExampleOrganizationMembershipsService_Delete() {
	srv, client, orgID, janeID := setup()
	defer srv.Close()
	ctx := context.Background()
	_, _, _ = client.OrganizationMemberships.Create(ctx, orgID, clerk.CreateOrganizationMembershipParams{UserID: janeID, Role: "org:member"})

	m, _, err := client.OrganizationMemberships.Delete(ctx, orgID, janeID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("removed", *m.PublicUserData.FirstName)

	_, _, err = client.OrganizationMemberships.Delete(ctx, orgID, janeID)
	fmt.Println(errors.Is(err, clerk.ErrNotFound))
	// Output:
	// removed Jane
	// true
}

func ExampleOrganizationMembershipsService_List() {
	srv, client, orgID, janeID := setup()
	defer srv.Close()
	ctx := context.Background()
	_, _, _ = client.OrganizationMemberships.Create(ctx, orgID, clerk.CreateOrganizationMembershipParams{UserID: janeID, Role: "org:member"})

	page, _, err := client.OrganizationMemberships.List(ctx, orgID, &clerk.ListOrganizationMembershipsParams{
		EmailAddressQuery: "acme.test",
		OrderBy:           "+first_name",
		Limit:             10,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range page.Data {
		fmt.Println(*m.PublicUserData.FirstName, m.Role)
	}
	fmt.Println("total:", page.TotalCount)
	// Output:
	// Ada org:admin
	// Jane org:member
	// total: 2
}

func ExampleOrganizationMembershipsService_ListForInstance() {
	srv, client, _, _ := setup()
	defer srv.Close()

	page, resp, err := client.OrganizationMemberships.ListForInstance(context.Background(), &clerk.ListInstanceOrganizationMembershipsParams{Limit: 100})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, page.TotalCount, page.Data[0].Organization.Name)
	// Output: 200 1 Acme Corp
}

func ExampleOrganizationMembershipsService_Update() {
	srv, client, orgID, janeID := setup()
	defer srv.Close()
	ctx := context.Background()
	_, _, _ = client.OrganizationMemberships.Create(ctx, orgID, clerk.CreateOrganizationMembershipParams{UserID: janeID, Role: "org:member"})

	m, _, err := client.OrganizationMemberships.Update(ctx, orgID, janeID, clerk.UpdateOrganizationMembershipParams{Role: "org:admin"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Role, m.RoleName)
	// Output: org:admin Admin
}

func ExampleOrganizationMembershipsService_UpdateMetadata() {
	srv, client, orgID, janeID := setup()
	defer srv.Close()
	ctx := context.Background()
	_, _, _ = client.OrganizationMemberships.Create(ctx, orgID, clerk.CreateOrganizationMembershipParams{
		UserID: janeID, Role: "org:member",
		PublicMetadata: map[string]any{"team": map[string]any{"name": "core", "lead": true}},
	})

	// Nested objects merge; nil deletes a key; PrivateMetadata (nil) is left alone.
	m, _, err := client.OrganizationMemberships.UpdateMetadata(ctx, orgID, janeID, clerk.UpdateOrganizationMembershipMetadataParams{
		PublicMetadata: map[string]any{"team": map[string]any{"lead": nil, "size": 4}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(m.PublicMetadata))
	// Output: {"team":{"name":"core","size":4}}
}

func ExampleOrganizationMembershipsService_All() {
	srv, client, orgID, _ := setup()
	defer srv.Close()
	ctx := context.Background()
	for i := range 5 {
		u := srv.AddUser(clerktest.User{FirstName: fmt.Sprintf("User %d", i)})
		_, _, _ = client.OrganizationMemberships.Create(ctx, orgID, clerk.CreateOrganizationMembershipParams{UserID: u, Role: "org:member"})
	}

	// Pages of 2; the loop may break at any point and fetching stops.
	for m, err := range client.OrganizationMemberships.All(ctx, orgID, &clerk.ListOrganizationMembershipsParams{Limit: 2, Roles: []string{"org:member"}, OrderBy: "+created_at"}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(*m.PublicUserData.FirstName)
	}
	// Output:
	// User 0
	// User 1
	// User 2
	// User 3
	// User 4
}

func ExampleAPIError() {
	srv, client, orgID, _ := setup()
	defer srv.Close()

	_, resp, err := client.OrganizationMemberships.Update(context.Background(), orgID, "user_unknown", clerk.UpdateOrganizationMembershipParams{Role: "org:admin"})
	var apiErr *clerk.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Errors[0].Code, apiErr.TraceID == resp.TraceID)
	}
	// Output: 404 resource_not_found true
}
