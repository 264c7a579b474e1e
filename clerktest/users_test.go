package clerktest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
)

func userIDs(users []*clerk.User) []string {
	out := []string{}
	for _, u := range users {
		out = append(out, u.ID)
	}
	return out
}

func TestAddUsersEmailIsThePrimaryAddressGetUserListFinds(t *testing.T) {
	f := newFixture(t)
	jane := f.srv.AddUser(clerktest.User{FirstName: "Jane", LastName: "Doe", Username: "jane", EmailAddress: "Jane.Doe@Acme.test",
		LastActiveAt: time.UnixMilli(1700690400000)})
	f.srv.AddUser(clerktest.User{FirstName: "Max", EmailAddress: "max@acme.test"})

	users, resp, err := f.client.Users.List(ctx, &clerk.ListUsersParams{EmailAddresses: []string{"jane.doe@ACME.test", "nobody@acme.test"}})
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	require.Len(t, users, 1, "matched ignoring case; unknown addresses are ignored")
	u := users[0]
	assert.Equal(t, jane, u.ID)
	assert.Equal(t, "user", u.Object)
	assert.Equal(t, "Jane.Doe@Acme.test", u.PrimaryEmailAddress())
	require.Len(t, u.EmailAddresses, 1)
	assert.Equal(t, *u.PrimaryEmailAddressID, u.EmailAddresses[0].ID)
	assert.Regexp(t, `^idn_`, u.EmailAddresses[0].ID)
	assert.Equal(t, &clerk.EmailAddressVerification{Status: "verified", Strategy: "admin"}, u.EmailAddresses[0].Verification)
	assert.Equal(t, "Jane", *u.FirstName)
	assert.Equal(t, "Doe", *u.LastName)
	assert.Equal(t, "jane", *u.Username)
	assert.Nil(t, u.ExternalID)
	assert.Equal(t, int64(1700690400000), *u.LastActiveAt)
	assert.Nil(t, u.LastSignInAt)
	assert.JSONEq(t, `{}`, string(u.PublicMetadata))
	assert.Equal(t, u.CreatedAt, u.UpdatedAt)

	t.Run("a user without an address has no primary one and nulls where Clerk sends them", func(t *testing.T) {
		bare := f.srv.AddUser(clerktest.User{})
		users, _, err := f.client.Users.List(ctx, &clerk.ListUsersParams{UserIDs: []string{bare}})
		require.NoError(t, err)
		require.Len(t, users, 1)
		assert.Nil(t, users[0].PrimaryEmailAddressID)
		assert.Empty(t, users[0].EmailAddresses)
		assert.Nil(t, users[0].FirstName)
		assert.Nil(t, users[0].Username)
		assert.Nil(t, users[0].LastActiveAt)
		assert.Equal(t, "", users[0].PrimaryEmailAddress())
	})
}

func TestGetUserListFiltersOrdersAndPages(t *testing.T) {
	f := newFixture(t) // ada, an admin of f.org, is the oldest user
	carol := f.srv.AddUser(clerktest.User{FirstName: "Carol", EmailAddress: "carol@acme.test", Username: "cz"})
	bob := f.srv.AddUser(clerktest.User{FirstName: "Bob", EmailAddress: "bob@beta.test", Username: "ba"})
	dave := f.srv.AddUser(clerktest.User{FirstName: "Dave", EmailAddress: "dave@acme.test", Username: "db"})
	f.add(t, dave, clerktest.RoleMember)
	other := f.srv.AddOrganization("Other")
	f.srv.AddMembership(other, bob, clerktest.RoleAdmin)

	list := func(p *clerk.ListUsersParams) []string {
		t.Helper()
		users, _, err := f.client.Users.List(ctx, p)
		require.NoError(t, err)
		return userIDs(users)
	}
	tests := []struct {
		name   string
		params *clerk.ListUsersParams
		want   []string
	}{
		{"every user, newest first", nil, []string{dave, bob, carol, f.admin}},
		{"the oldest first", &clerk.ListUsersParams{OrderBy: "created_at"}, []string{f.admin, carol, bob, dave}},
		{"by username, nobody's first", &clerk.ListUsersParams{OrderBy: "+username"}, []string{f.admin, bob, carol, dave}},
		{"by first name, descending", &clerk.ListUsersParams{OrderBy: "-first_name"}, []string{dave, carol, bob, f.admin}},
		{"by email address", &clerk.ListUsersParams{OrderBy: "email_address"}, []string{f.admin, bob, carol, dave}},
		{"some email addresses", &clerk.ListUsersParams{EmailAddresses: []string{"BOB@beta.test", "carol@acme.test"}}, []string{bob, carol}},
		{"some user IDs", &clerk.ListUsersParams{UserIDs: []string{carol, "+" + dave}}, []string{dave, carol}},
		{"all but some user IDs", &clerk.ListUsersParams{UserIDs: []string{"-" + carol}}, []string{dave, bob, f.admin}},
		{"the members of an organization", &clerk.ListUsersParams{OrganizationIDs: []string{f.org}}, []string{dave, f.admin}},
		{"the members of either organization", &clerk.ListUsersParams{OrganizationIDs: []string{f.org, other}}, []string{dave, bob, f.admin}},
		{"everyone but an organization's members", &clerk.ListUsersParams{OrganizationIDs: []string{"-" + f.org}}, []string{bob, carol}},
		{"an external ID nobody has", &clerk.ListUsersParams{ExternalIDs: []string{"hr-1"}}, []string{}},
		{"a query over names and addresses, ignoring case", &clerk.ListUsersParams{Query: "ACME"}, []string{dave, carol, f.admin}},
		{"a query and a filter together", &clerk.ListUsersParams{Query: "acme", OrganizationIDs: []string{f.org}}, []string{dave, f.admin}},
		{"a page by limit and offset", &clerk.ListUsersParams{Limit: 2, Offset: 1}, []string{bob, carol}},
		{"an offset past the end", &clerk.ListUsersParams{Offset: 10}, []string{}},
		{"the page after a cursor, newest first", &clerk.ListUsersParams{StartingAfter: bob, Limit: 5}, []string{carol, f.admin}},
		{"the page after a cursor, oldest first", &clerk.ListUsersParams{StartingAfter: carol, OrderBy: "+created_at"}, []string{bob, dave}},
		{"a cursor outside the filter still marks the place", &clerk.ListUsersParams{StartingAfter: dave, OrganizationIDs: []string{f.org}}, []string{f.admin}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, list(tt.params))
		})
	}
	t.Run("All walks every user by cursor", func(t *testing.T) {
		var got []string
		for u, err := range f.client.Users.All(ctx, &clerk.ListUsersParams{Limit: 1}) {
			require.NoError(t, err)
			got = append(got, u.ID)
		}
		assert.Equal(t, []string{dave, bob, carol, f.admin}, got)
		assert.Equal(t, 5, f.srv.CountRequests("GET", "/v1/users")-len(tests), "four full pages and an empty one")
	})

	raw := []struct {
		name, query, param string
	}{
		{"a cursor with another ordering", "?starting_after=" + bob + "&order_by=username", "starting_after"},
		{"a cursor with an offset", "?starting_after=" + bob + "&offset=1", "starting_after"},
		{"a cursor naming nobody", "?starting_after=user_missing", "starting_after"},
		{"an unknown ordering", "?order_by=shoe_size", "order_by"},
		{"a limit of 0", "?limit=0", "limit"},
		{"101 user IDs", "?user_id=" + repeatQuery("user_id", 101), "user_id"},
	}
	for _, tt := range raw {
		t.Run("422 for "+tt.name, func(t *testing.T) {
			status, e := rawCall(t, f.srv, "GET", "/users"+tt.query, "")
			assert.Equal(t, 422, status)
			assert.Equal(t, "form_param_value_invalid", e["code"])
			assert.Equal(t, map[string]any{"param_name": tt.param}, e["meta"])
		})
	}
}

// repeatQuery returns n values for key, joined as a query continues after
// its first "key=".
func repeatQuery(key string, n int) string {
	out := "u0"
	for i := 1; i < n; i++ {
		out += "&" + key + "=u" + string(rune('0'+i%10))
	}
	return out
}
