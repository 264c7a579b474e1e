package membersync

import (
	"slices"
	"strconv"
	"time"

	clerk "github.com/clerkkit/clerk-go"
)

// DefaultAdminRole is Clerk's built-in admin role. Unless Options.AdminRoles
// or Options.AdminRole say otherwise, it counts as an admin role, together
// with every role whose permissions include "org:sys_memberships:manage".
const DefaultAdminRole = "org:admin"

// manageMemberships is the permission that makes a role an admin role in
// Clerk's eyes: Clerk refuses to remove or demote the last member of an
// organization whose role has it.
const manageMemberships = "org:sys_memberships:manage"

// DefaultMaxRemovals is how many members a plan may remove when
// Options.MaxRemovals is 0.
const DefaultMaxRemovals = 10

// DefaultConcurrency is how many changes Apply sends at once unless
// Options.Concurrency says otherwise.
const DefaultConcurrency = 8

// Member is one membership as it should be.
type Member struct {
	// UserID is the user, such as "user_2h8op3Isl1QR7tKu5FGNfaLKEoU"; required.
	UserID string
	// Role is the role key the user should hold, such as "org:member"; required.
	Role string
	// PublicMetadata, when not nil, is what the membership's public metadata
	// should equal: keys missing from it are deleted, nested objects are
	// compared key by key. A nil map leaves the metadata as it is. A nil
	// value inside it is refused (Clerk would delete the key rather than
	// store a null): leave the key out instead.
	PublicMetadata map[string]any
	// PrivateMetadata is the same for the private metadata.
	PrivateMetadata map[string]any
}

// Options configures a Syncer. The zero value adds and changes members,
// never removes any, protects Clerk's admin roles and applies 8 changes at a
// time.
type Options struct {
	// Prune removes members who are not in the desired list. Without it a
	// plan only adds and changes.
	Prune bool
	// Keep lists user IDs that are never removed or changed, whatever the
	// desired list says. A kept user who is desired but not a member is
	// added, since adding takes nothing away.
	Keep []string
	// MaxRemovals makes Plan fail with ErrTooManyRemovals when it would
	// remove more members than this; 0 means DefaultMaxRemovals (10), and a
	// negative value means no limit. It guards against a truncated or empty
	// desired list wiping an organization. (Until Version 3, 0 meant no
	// limit.)
	MaxRemovals int
	// AdminRoles are the roles that count as admins: a plan never removes or
	// demotes every member holding one of them without giving one of them
	// to somebody (ErrNoAdmin), and Apply gives an admin role before it takes
	// the last one away. nil means DefaultAdminRole and every role held
	// today by a member whose permissions include
	// "org:sys_memberships:manage", which is Clerk's own rule. A non-nil empty
	// slice protects no role.
	AdminRoles []string
	// AdminRole, when AdminRoles is nil and AdminRole is not "", means
	// AdminRoles: []string{AdminRole}. It is kept from Version 2.
	AdminRole string
	// Concurrency is how many changes Apply sends at once; 0 means
	// DefaultConcurrency (8). The client's rate limiter, if any, still paces
	// every request.
	Concurrency int
	// Progress, when not nil, is called after each change Apply performs,
	// applied or failed, with its Result. Calls never overlap, so Progress
	// need not be safe for concurrent use, but it holds up the reporting of
	// other changes while it runs. Changes that Apply settles without
	// sending anything (stale, already as wanted, held back) are reported
	// too; changes that a cancelled context keeps from starting are not.
	Progress func(r Result)
}

// A Syncer plans and applies membership changes for one Client. It is safe
// for concurrent use; create one with New.
type Syncer struct {
	client      *clerk.Client
	opts        Options
	adminRoles  []string // nil: derived from the memberships read
	maxRemovals int      // negative: no limit
	concurrency int
	keep        map[string]bool
	grace       time.Duration // inflightGrace; shorter in tests
}

// New returns a Syncer that reads and changes memberships through client,
// as opts says. It copies opts.Keep, so later changes to the slice have no
// effect, and so does AdminRoles. Invalid options (a nil client, a negative
// Concurrency, an empty admin role) are reported by Plan and Apply as a
// *clerk.ValidationError.
func New(client *clerk.Client, opts Options) *Syncer {
	s := &Syncer{
		client:      client,
		opts:        opts,
		maxRemovals: opts.MaxRemovals,
		concurrency: opts.Concurrency,
		keep:        make(map[string]bool, len(opts.Keep)),
		grace:       inflightGrace,
	}
	s.opts.Keep = append([]string(nil), opts.Keep...)
	switch {
	case opts.AdminRoles != nil:
		s.adminRoles = append([]string{}, opts.AdminRoles...)
	case opts.AdminRole != "":
		s.adminRoles = []string{opts.AdminRole}
	}
	s.opts.AdminRoles = s.adminRoles
	if s.maxRemovals == 0 {
		s.maxRemovals = DefaultMaxRemovals
	}
	if s.concurrency == 0 {
		s.concurrency = DefaultConcurrency
	}
	for _, id := range opts.Keep {
		s.keep[id] = true
	}
	return s
}

// checkOptions reports what New could not: a nil client, a negative
// Concurrency or an empty admin role.
func (s *Syncer) checkOptions() error {
	switch {
	case s.client == nil:
		return &clerk.ValidationError{Param: "client", Message: "must not be nil; pass the *clerk.Client to membersync.New"}
	case s.concurrency < 0:
		return &clerk.ValidationError{Param: "Options.Concurrency", Message: "must not be negative (0 means 8)"}
	}
	if i := slices.Index(s.adminRoles, ""); i >= 0 {
		return &clerk.ValidationError{Param: "Options.AdminRoles[" + strconv.Itoa(i) + "]", Message: "must not be empty; give a role key such as \"org:admin\""}
	}
	return nil
}

// adminSet returns the roles that count as admins, given the memberships
// read: the configured ones, or DefaultAdminRole and every role held by a
// member whose permissions include manageMemberships.
func (s *Syncer) adminSet(memberships map[string]*clerk.OrganizationMembership) map[string]bool {
	set := map[string]bool{}
	if s.adminRoles != nil {
		for _, r := range s.adminRoles {
			set[r] = true
		}
		return set
	}
	set[DefaultAdminRole] = true
	for _, m := range memberships {
		if slices.Contains(m.Permissions, manageMemberships) {
			set[m.Role] = true
		}
	}
	return set
}
