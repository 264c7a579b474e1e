package clerk_test

import (
	"context"
	"fmt"
	"log"

	clerk "github.com/clerkkit/clerk-go"
)

func ExampleUsersService_List() {
	srv, client, _, _ := setup()
	defer srv.Close()

	// Who of these has an account? One call for up to 100 addresses,
	// matched ignoring case; unknown addresses are left out.
	users, _, err := client.Users.List(context.Background(), &clerk.ListUsersParams{
		EmailAddresses: []string{"JANE@acme.test", "nobody@acme.test"},
		Limit:          100,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, u := range users {
		fmt.Println(*u.FirstName, u.PrimaryEmailAddress())
	}
	// Output: Jane jane@acme.test
}

func ExampleOrganizationInvitationsService_CreateBulk() {
	srv, client, orgID, _ := setup()
	defer srv.Close()
	ctx := context.Background()

	page, _, err := client.OrganizationInvitations.CreateBulk(ctx, orgID, []clerk.CreateOrganizationInvitationParams{
		{EmailAddress: "grace@acme.test", Role: "org:member"},
		{EmailAddress: "alan@acme.test", Role: "org:admin", PublicMetadata: map[string]any{"team": "core"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, inv := range page.Data {
		fmt.Println(inv.EmailAddress, inv.Role, inv.Status)
	}

	// The invitee accepts (clerktest does it as the invitee would), and the
	// invitation's role and metadata become the membership's.
	srv.AcceptInvitation(page.Data[1].ID)
	for inv, err := range client.OrganizationInvitations.All(ctx, orgID, &clerk.ListOrganizationInvitationsParams{Status: "accepted"}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(inv.EmailAddress, inv.Status)
	}
	// Output:
	// grace@acme.test org:member pending
	// alan@acme.test org:admin pending
	// alan@acme.test accepted
}
