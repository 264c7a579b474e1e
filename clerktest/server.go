// Package clerktest is an in-memory Clerk that speaks the organization
// membership operations of the Backend API over real HTTP, for tests of code
// that calls Clerk and for running examples without an account.
//
// It keeps organizations, users and memberships in memory, answers as Clerk
// does (the same JSON shapes, error codes and defaults), and adds what tests
// need: switchable rate limiting, fault injection, a record of the requests
// it received and signed webhook deliveries of membership changes. A Server
// is safe for concurrent use.
//
//	srv := clerktest.NewServer()
//	defer srv.Close()
//	org := srv.AddOrganization("Acme")
//	user := srv.AddUser(clerktest.User{FirstName: "Jane", EmailAddress: "jane@acme.test"})
//	client := srv.Client()
//	m, _, err := client.OrganizationMemberships.Create(ctx, org, clerk.CreateOrganizationMembershipParams{UserID: user, Role: "org:member"})
package clerktest

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	clerk "github.com/clerkkit/clerk-go"
)

// Built-in roles, as in a new Clerk instance.
const (
	RoleAdmin  = "org:admin"
	RoleMember = "org:member"
)

// manageMemberships is the permission that makes a role count as an
// administrator: every organization must keep one member holding it.
const manageMemberships = "org:sys_memberships:manage"

// A Server is an in-memory Clerk listening on a loopback address.
type Server struct {
	// URL is the base URL, ending in "/v1/", ready for clerk.WithBaseURL.
	URL string
	// SecretKey is the only bearer token the server accepts.
	SecretKey string

	http   *httptest.Server
	custom *http.ServeMux // endpoints registered with Handle

	mu          sync.Mutex
	orgs        map[string]*organization
	users       map[string]*user
	roles       map[string]role
	memberships []*membership // in creation order
	lastMilli   int64
	requests    []Request
	faults      []*Fault
	limit       *windowLimit
	hooks       webhookState
	people      peopleState // invitations and per-operation limits
}

// User describes a user to add with AddUser. Every field is optional.
type User struct {
	FirstName, LastName, EmailAddress, Username, PhoneNumber string
	// Web3Wallet is matched by the web3_wallet filter.
	Web3Wallet string
	// LastActiveAt is matched by the last_active_at_* filters; zero means
	// never active.
	LastActiveAt time.Time
}

type organization struct {
	id, name, slug string
	createdAt      int64
	maxMembers     int // 0: unlimited
}

type user struct {
	User
	id        string
	createdAt int64
}

type role struct {
	name        string
	permissions []string
}

type membership struct {
	id              string
	org             *organization
	user            *user
	role            string
	publicMetadata  map[string]any
	privateMetadata map[string]any
	createdAt       int64
	updatedAt       int64
}

// NewServer starts a Server with the built-in roles org:admin and
// org:member. Close it when done.
func NewServer() *Server {
	s := &Server{
		SecretKey: "sk_test_" + randomID(32),
		orgs:      map[string]*organization{},
		users:     map[string]*user{},
		roles: map[string]role{
			RoleAdmin: {"Admin", []string{"org:sys_profile:manage", "org:sys_profile:delete",
				"org:sys_memberships:read", manageMemberships, "org:sys_domains:read", "org:sys_domains:manage"}},
			RoleMember: {"Member", []string{"org:sys_memberships:read"}},
		},
	}
	s.custom = http.NewServeMux()
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.http.URL + "/v1/"
	return s
}

// Handle serves pattern (a net/http ServeMux pattern such as
// "GET /v1/organizations/{id}"; r.PathValue works in h) with h, for
// endpoints the server does not emulate. Such requests are authenticated,
// subject to faults and the rate limit, and recorded, like the others; a
// pattern that also matches an emulated endpoint takes its place. Like
// ServeMux.Handle, it panics on an invalid or conflicting pattern.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.custom.Handle(pattern, h)
}

// Close shuts the server down and waits for requests in flight. It then
// stops webhook deliveries, cutting short any attempt in flight and dropping
// the events not yet delivered; FlushWebhooks first to deliver them.
func (s *Server) Close() {
	s.http.Close()
	s.stopWebhooks()
}

// testRetryPolicy is the retry policy of the clients Client returns: the
// rules of clerk.DefaultRetryPolicy with waits of 1 to 10 ms, so that tests
// of retries stay fast. A Retry-After longer than 10 ms is not waited out.
var testRetryPolicy = clerk.RetryPolicy{MaxRetries: clerk.DefaultRetryPolicy.MaxRetries, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond}

// Client returns a clerk.Client for this server that retries with waits of
// 1 to 10 ms (testRetryPolicy). opts are applied after the base URL, the
// secret key and that policy, so they may override anything else.
func (s *Server) Client(opts ...clerk.Option) *clerk.Client {
	c, err := clerk.NewClient(s.SecretKey, append([]clerk.Option{clerk.WithBaseURL(s.URL), clerk.WithRetryPolicy(testRetryPolicy)}, opts...)...)
	if err != nil {
		panic("clerktest: " + err.Error()) // only a bad option can fail, which is a bug in the test
	}
	return c
}

// AddOrganization adds an organization with no members and no membership
// limit, and returns its ID.
func (s *Server) AddOrganization(name string) (organizationID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := &organization{id: "org_" + randomID(27), name: name, slug: slugify(name), createdAt: s.nowMilli()}
	s.orgs[o.id] = o
	return o.id
}

// SetMaxAllowedMemberships limits how many members the organization may
// have; Create answers 403 organization_membership_quota_exceeded beyond it.
// 0 means unlimited. It panics if the organization does not exist.
func (s *Server) SetMaxAllowedMemberships(organizationID string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orgs[organizationID]
	if !ok {
		panic("clerktest: no organization " + organizationID)
	}
	o.maxMembers = n
}

// AddUser adds a user to the instance and returns its ID.
func (s *Server) AddUser(u User) (userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	nu := &user{User: u, id: "user_" + randomID(27), createdAt: s.nowMilli()}
	s.users[nu.id] = nu
	return nu.id
}

// AddMembership makes the user a member of the organization with the given
// role, without going through HTTP, to seed large fixtures quickly, and
// returns the membership's ID. It panics on an unknown organization, user or
// role, or an existing membership, which are bugs in the test.
func (s *Server) AddMembership(organizationID, userID, role string) (membershipID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	org, u := s.orgs[organizationID], s.users[userID]
	_, knownRole := s.roles[role]
	switch {
	case org == nil:
		panic("clerktest: no organization " + organizationID)
	case u == nil:
		panic("clerktest: no user " + userID)
	case !knownRole:
		panic("clerktest: no role " + role)
	case s.findMembership(organizationID, userID) != nil:
		panic("clerktest: " + userID + " is already a member of " + organizationID)
	}
	now := s.nowMilli()
	m := &membership{id: "orgmem_" + randomID(27), org: org, user: u, role: role,
		publicMetadata: map[string]any{}, privateMetadata: map[string]any{}, createdAt: now, updatedAt: now}
	s.memberships = append(s.memberships, m)
	return m.id
}

// AddRole adds a custom role, such as "org:billing", with a display name and
// its permissions. A role holding "org:sys_memberships:manage" counts as an
// administrator.
func (s *Server) AddRole(key, name string, permissions ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.roles[key] = role{name: name, permissions: append([]string(nil), permissions...)}
}

// nowMilli returns the current Unix time in milliseconds, strictly greater
// than any it returned before, so that created_at orders records exactly.
// The caller holds s.mu.
func (s *Server) nowMilli() int64 {
	s.lastMilli = max(s.lastMilli+1, time.Now().UnixMilli())
	return s.lastMilli
}

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// randomID returns n random base-62 characters, as in Clerk's IDs.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

func slugify(name string) string {
	out := make([]byte, 0, len(name))
	dash := false
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			out, dash = append(out, byte(r)), false
		case r >= 'A' && r <= 'Z':
			out, dash = append(out, byte(r-'A'+'a')), false
		case !dash && len(out) > 0:
			out, dash = append(out, '-'), true
		}
	}
	if dash {
		out = out[:len(out)-1]
	}
	return string(out)
}
