// Package membersync makes one organization's memberships match a desired
// list, as a job that syncs from an HR system, an identity provider or a
// database does: compute a Plan, show it, Apply it.
//
//	s := membersync.New(client, membersync.Options{Prune: true, MaxRemovals: 5})
//	plan, err := s.Plan(ctx, "org_123", []membersync.Member{
//		{UserID: "user_1", Role: "org:admin"},
//		{UserID: "user_2", Role: "org:member", PublicMetadata: map[string]any{"team": "core"}},
//	})
//	if err != nil { ... }
//	fmt.Println(plan)
//	report, err := s.Apply(ctx, plan)
//
// It is built on the public API of package clerk only: All to read the
// memberships, Create, Update, UpdateMetadata and Delete to change them, and
// List to read one membership back when an answer was lost.
//
// # Planning
//
// Plan compares the organization's memberships with the desired list and
// lists the changes: members to add, roles to set, metadata to merge and,
// with Options.Prune, members to remove. It refuses, before anything is
// changed, a plan that removes more than Options.MaxRemovals members
// (DefaultMaxRemovals, 10, unless set; ErrTooManyRemovals) or that takes an
// admin role from everyone who holds one without giving one to anyone
// (ErrNoAdmin). Admin roles are, unless Options.AdminRoles names them,
// "org:admin" and every role held today by a member whose permissions
// include "org:sys_memberships:manage", as Clerk counts them. Users listed
// in Options.Keep are never removed or changed. The same memberships and
// list always give the same plan, each group of changes sorted by user ID.
//
// Metadata is compared as JSON values, numbers by their exact decimal value
// (so 1, 1.0 and 1e0 are equal, and 9007199254740993 is not
// 9007199254740992). A desired map means "make it equal": the change is the
// smallest RFC 7386 merge patch, which Clerk's deep merge applies. A nil
// value inside a desired map is refused, since Clerk would read it as
// "delete this key" rather than store a null; leave the key out instead.
//
// # Applying
//
// Apply first reads the memberships again and sends nothing for a change
// whose membership someone else changed since Plan read it (ErrStalePlan),
// unless it is already as wanted. It then performs the changes in groups,
// one group finishing before the next starts: promotions to an admin role,
// then removals and other role changes, then additions, then metadata. The
// organization therefore never loses its last admin (and when the promotion
// or addition of the new admin fails, the old admins are not removed or
// demoted), and removals free seats before additions need them. Within a
// group, Options.Concurrency changes are sent at once.
//
// A change whose answer is lost (a 5xx, a dropped connection) or that Clerk
// answers "already a member" or 404 is read back, and counts as applied
// when the membership is as wanted. A failed change does not stop the
// others. Once the context is done nothing more is sent; requests already
// sent get up to 10 seconds and are read back. Every change gets a Result,
// in plan order, so that a Report says exactly which changes took effect,
// and every failed Result wraps one kind of failure: ErrStalePlan,
// ErrNotStarted, ErrOutcomeUnknown, or the *clerk.APIError or
// *clerk.ValidationError that refused it. Planning again after a failed or
// cancelled Apply finishes the job without duplicates.
package membersync
