package membersync

import (
	"time"

	clerk "github.com/clerkkit/clerk-go"
)

// DefaultAdminRole is the role a plan never leaves without a member unless
// Options.AdminRole names another.
const DefaultAdminRole = "org:admin"

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
// never removes any, protects "org:admin" and applies 8 changes at a time.
type Options struct {
	// Prune removes members who are not in the desired list. Without it a
	// plan only adds and changes.
	Prune bool
	// Keep lists user IDs that are never removed or changed, whatever the
	// desired list says. A kept user who is desired but not a member is
	// added, since adding takes nothing away.
	Keep []string
	// MaxRemovals makes Plan fail with ErrTooManyRemovals when it would
	// remove more members than this; 0 means no limit. It guards against a
	// truncated or empty desired list wiping an organization.
	MaxRemovals int
	// AdminRole is the role a plan never leaves without a member; "" means
	// DefaultAdminRole ("org:admin").
	AdminRole string
	// Concurrency is how many changes Apply sends at once; 0 means
	// DefaultConcurrency (8). The client's rate limiter, if any, still paces
	// every request.
	Concurrency int
	// Progress, when not nil, is called after each change Apply performs,
	// applied or failed, with its Result. Calls never overlap, so Progress
	// need not be safe for concurrent use, but it holds up the reporting of
	// other changes while it runs. Changes that a cancelled context keeps
	// from starting are not reported to Progress.
	Progress func(r Result)
}

// A Syncer plans and applies membership changes for one Client. It is safe
// for concurrent use; create one with New.
type Syncer struct {
	client      *clerk.Client
	opts        Options
	adminRole   string
	concurrency int
	keep        map[string]bool
	grace       time.Duration // inflightGrace; shorter in tests
}

// New returns a Syncer that reads and changes memberships through client,
// as opts says. It copies opts.Keep, so later changes to the slice have no
// effect. Invalid options (a nil client, a negative MaxRemovals or
// Concurrency) are reported by Plan and Apply as a *clerk.ValidationError.
func New(client *clerk.Client, opts Options) *Syncer {
	s := &Syncer{
		client:      client,
		opts:        opts,
		adminRole:   opts.AdminRole,
		concurrency: opts.Concurrency,
		keep:        make(map[string]bool, len(opts.Keep)),
		grace:       inflightGrace,
	}
	s.opts.Keep = append([]string(nil), opts.Keep...)
	if s.adminRole == "" {
		s.adminRole = DefaultAdminRole
	}
	if s.concurrency == 0 {
		s.concurrency = DefaultConcurrency
	}
	for _, id := range opts.Keep {
		s.keep[id] = true
	}
	return s
}

// checkOptions reports what New could not: a nil client or a negative number.
func (s *Syncer) checkOptions() error {
	switch {
	case s.client == nil:
		return &clerk.ValidationError{Param: "client", Message: "must not be nil; pass the *clerk.Client to membersync.New"}
	case s.opts.MaxRemovals < 0:
		return &clerk.ValidationError{Param: "Options.MaxRemovals", Message: "must not be negative (0 means no limit)"}
	case s.concurrency < 0:
		return &clerk.ValidationError{Param: "Options.Concurrency", Message: "must not be negative (0 means 8)"}
	}
	return nil
}
