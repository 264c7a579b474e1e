package membersync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	clerk "github.com/clerkkit/clerk-go"
)

// ChangeKind says what a Change does.
type ChangeKind string

// The kinds of change a plan holds.
const (
	// Add makes a user a member, with a role and initial metadata (Create).
	Add ChangeKind = "add"
	// SetRole changes a member's role (Update).
	SetRole ChangeKind = "set_role"
	// SetMetadata merges a patch into a member's metadata (UpdateMetadata).
	SetMetadata ChangeKind = "set_metadata"
	// Remove removes a member (Delete).
	Remove ChangeKind = "remove"
)

// Change is one call Apply makes.
type Change struct {
	Kind   ChangeKind
	UserID string
	// Role is, for Add and SetRole, the role wanted; for Remove, the role held.
	Role string
	// OldRole is, for SetRole, the role held.
	OldRole string
	// Metadata is, for Add, the initial metadata (a nil map: none). For
	// SetMetadata, it is the smallest merge patch that makes the stored
	// metadata equal to the wanted one: a nil map leaves that metadata as
	// it is, and a nil value deletes a key.
	Metadata clerk.UpdateOrganizationMembershipMetadataParams
}

// Plan lists the changes that make an organization's memberships match a
// desired list.
type Plan struct {
	OrganizationID string
	// Changes are in the order Apply performs them: promotions to an admin
	// role, then removals and other role changes, then additions, then
	// metadata, each group sorted by user ID, so that the same state and
	// list always give the same plan. When the plan replaces every admin by
	// users it adds, those additions come first instead, so that the
	// organization is never without an admin.
	Changes []Change
	// Unchanged counts the desired members the plan leaves as they are:
	// those already as desired, and those in Options.Keep who are members.
	Unchanged int

	// What Plan read and wants, for Apply's staleness check; nil in a plan
	// made by hand, which Apply performs without that check.
	read   map[string]observed // every membership Plan read, by user ID
	goals  map[string]goal     // what each user with a change should end as
	admins map[string]bool     // the roles that counted as admins
}

// observed is what Plan read of one membership: enough to tell whether it
// changed since.
type observed struct {
	role      string
	updatedAt int64
}

// goal is what a user's membership should be once the plan is applied: gone
// (remove), or with role and, where not nil, metadata equal to public and
// private (decoded JSON).
type goal struct {
	remove          bool
	role            string
	public, private map[string]any
}

// Empty reports whether the plan has no changes.
func (p *Plan) Empty() bool { return p == nil || len(p.Changes) == 0 }

// String describes the plan for an operator: one line per change, then
// "N to add, N to change, N to remove", where N to change counts SetRole
// and SetMetadata changes (a member whose role and metadata both change
// counts twice). Metadata appears as the keys that are set or deleted,
// never their values, so that a printed or logged plan carries none.
func (p *Plan) String() string {
	if p == nil {
		return "0 to add, 0 to change, 0 to remove"
	}
	var b strings.Builder
	var adds, changes, removals int
	for _, c := range p.Changes {
		switch c.Kind {
		case Add:
			adds++
			fmt.Fprintf(&b, "+ add %s as %s", c.UserID, c.Role)
			if md := describeMetadata(c.Metadata); md != "" {
				b.WriteString(" (" + md + ")")
			}
		case SetRole:
			changes++
			fmt.Fprintf(&b, "~ set role of %s: %s -> %s", c.UserID, c.OldRole, c.Role)
		case SetMetadata:
			changes++
			fmt.Fprintf(&b, "~ set metadata of %s: %s", c.UserID, describeMetadata(c.Metadata))
		case Remove:
			removals++
			fmt.Fprintf(&b, "- remove %s (%s)", c.UserID, c.Role)
		default:
			fmt.Fprintf(&b, "? %s %s", strconv.Quote(string(c.Kind)), c.UserID)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "%d to add, %d to change, %d to remove", adds, changes, removals)
	return b.String()
}

// describeMetadata reads like "public_metadata sets a, b.c, deletes d;
// private_metadata deletes x", or "" when both maps are nil or empty.
func describeMetadata(m clerk.UpdateOrganizationMembershipMetadataParams) string {
	var parts []string
	for _, md := range []struct {
		name  string
		patch map[string]any
	}{{"public_metadata", m.PublicMetadata}, {"private_metadata", m.PrivateMetadata}} {
		set, deleted := patchPaths(md.patch, "")
		var what []string
		if len(set) > 0 {
			what = append(what, "sets "+strings.Join(set, ", "))
		}
		if len(deleted) > 0 {
			what = append(what, "deletes "+strings.Join(deleted, ", "))
		}
		if len(what) > 0 {
			parts = append(parts, md.name+" "+strings.Join(what, ", "))
		}
	}
	return strings.Join(parts, "; ")
}

// wanted is a desired member after validation, its metadata normalized.
type wanted struct {
	Member
	public, private map[string]any // decoded JSON; nil: leave as it is
}

// Plan reads the organization's memberships (with All, every page) and
// compares them with desired, the complete list of members the organization
// should have when Options.Prune is set, or the members to add or change
// when it is not.
//
// Invalid input (an empty organization ID, an empty user ID or role, a user
// listed twice, metadata that cannot be stored as JSON) is a
// *clerk.ValidationError whose Param names it, such as "desired[3].role";
// nothing is sent. A plan that would remove more members than
// Options.MaxRemovals allows fails with ErrTooManyRemovals, and one that
// would leave no member holding an admin role (Options.AdminRoles) fails
// with ErrNoAdmin; when both hold, the error matches both.
//
// The plan records what Plan read of each membership (role and updated_at)
// and what each changed user should end as, so that Apply can refuse a
// change whose membership someone else changed in between (ErrStalePlan).
func (s *Syncer) Plan(ctx context.Context, organizationID string, desired []Member) (*Plan, error) {
	if err := s.checkOptions(); err != nil {
		return nil, err
	}
	if organizationID == "" {
		return nil, &clerk.ValidationError{Param: "organization_id", Message: "must not be empty"}
	}
	want, err := validate(desired)
	if err != nil {
		return nil, err
	}

	current, err := s.read(ctx, organizationID)
	if err != nil {
		return nil, err
	}
	return s.compare(organizationID, want, current)
}

// validate checks desired and normalizes its metadata.
func validate(desired []Member) ([]wanted, error) {
	want := make([]wanted, len(desired))
	seen := make(map[string]int, len(desired))
	for i, m := range desired {
		param := func(field string) string { return "desired[" + strconv.Itoa(i) + "]." + field }
		switch {
		case m.UserID == "":
			return nil, &clerk.ValidationError{Param: param("user_id"), Message: "must not be empty"}
		case m.Role == "":
			return nil, &clerk.ValidationError{Param: param("role"), Message: "must not be empty; give a role key such as \"org:member\""}
		}
		if j, dup := seen[m.UserID]; dup {
			return nil, &clerk.ValidationError{Param: param("user_id"),
				Message: m.UserID + " is listed twice, also at desired[" + strconv.Itoa(j) + "]; list each user once"}
		}
		seen[m.UserID] = i
		want[i].Member = m
		var err error
		if m.PublicMetadata != nil {
			if want[i].public, err = normalize(m.PublicMetadata); err != nil {
				return nil, &clerk.ValidationError{Param: param("public_metadata"), Message: err.Error()}
			}
		}
		if m.PrivateMetadata != nil {
			if want[i].private, err = normalize(m.PrivateMetadata); err != nil {
				return nil, &clerk.ValidationError{Param: param("private_metadata"), Message: err.Error()}
			}
		}
	}
	return want, nil
}

// compare builds the plan from the validated desired list and the current
// memberships by user ID.
func (s *Syncer) compare(organizationID string, want []wanted, current map[string]*clerk.OrganizationMembership) (*Plan, error) {
	admins := s.adminSet(current)
	plan := &Plan{OrganizationID: organizationID,
		read: make(map[string]observed, len(current)), goals: map[string]goal{}, admins: admins}
	for id, m := range current {
		plan.read[id] = observed{role: m.Role, updatedAt: m.UpdatedAt}
	}
	var promotions, removals, roleChanges, adds, metadata []Change
	desired := make(map[string]bool, len(want))
	for _, w := range want {
		desired[w.UserID] = true
		cur, isMember := current[w.UserID]
		g := goal{role: w.Role, public: w.public, private: w.private}
		switch {
		case !isMember:
			adds = append(adds, Change{Kind: Add, UserID: w.UserID, Role: w.Role,
				Metadata: clerk.UpdateOrganizationMembershipMetadataParams{PublicMetadata: w.public, PrivateMetadata: w.private}})
			plan.goals[w.UserID] = g
			continue
		case s.keep[w.UserID]:
			plan.Unchanged++
			continue
		}
		changed := false
		if cur.Role != w.Role {
			c := Change{Kind: SetRole, UserID: w.UserID, Role: w.Role, OldRole: cur.Role}
			if admins[w.Role] {
				promotions = append(promotions, c)
			} else {
				roleChanges = append(roleChanges, c)
			}
			changed = true
		}
		patch, err := metadataPatch(cur, w)
		if err != nil {
			return nil, fmt.Errorf("membersync: comparing the metadata of %s: %w", w.UserID, err)
		}
		if patch.PublicMetadata != nil || patch.PrivateMetadata != nil {
			metadata = append(metadata, Change{Kind: SetMetadata, UserID: w.UserID, Metadata: patch})
			changed = true
		}
		if changed {
			plan.goals[w.UserID] = g
		} else {
			plan.Unchanged++
		}
	}
	if s.opts.Prune {
		for id, cur := range current {
			if !desired[id] && !s.keep[id] {
				removals = append(removals, Change{Kind: Remove, UserID: id, Role: cur.Role})
				plan.goals[id] = goal{remove: true}
			}
		}
	}

	var errs []error
	if limit := s.maxRemovals; limit >= 0 && len(removals) > limit {
		allows := strconv.Itoa(limit)
		if s.opts.MaxRemovals == 0 {
			allows += " (DefaultMaxRemovals, as Options.MaxRemovals is 0)"
		}
		errs = append(errs, fmt.Errorf("%w: it would remove %d members and Options.MaxRemovals allows %s; check that the desired list is complete, or raise Options.MaxRemovals (a negative value means no limit)",
			ErrTooManyRemovals, len(removals), allows))
	}
	adminsStay, err := checkAdmins(current, admins, promotions, removals, roleChanges, adds)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	byUser := func(a, b Change) int { return cmp.Compare(a.UserID, b.UserID) }
	for _, group := range [][]Change{promotions, removals, roleChanges, adds, metadata} {
		slices.SortFunc(group, byUser)
	}
	if !adminsStay && len(promotions) == 0 {
		// Every admin goes and the role comes only with new members: add
		// them before the old admins go, or Clerk refuses to remove the last.
		var adminAdds, others []Change
		for _, c := range adds {
			if admins[c.Role] {
				adminAdds = append(adminAdds, c)
			} else {
				others = append(others, c)
			}
		}
		promotions, adds = adminAdds, others
	}
	plan.Changes = slices.Concat(promotions, removals, roleChanges, adds, metadata)
	return plan, nil
}

// checkAdmins returns ErrNoAdmin, with details, when the organization has
// members holding an admin role and the plan removes or demotes all of them
// while giving an admin role to nobody. adminsStay reports whether a member
// who holds an admin role today keeps one.
func checkAdmins(current map[string]*clerk.OrganizationMembership, admins map[string]bool, promotions, removals, roleChanges, adds []Change) (adminsStay bool, err error) {
	leaving := make(map[string]bool, len(removals)+len(roleChanges))
	for _, c := range slices.Concat(removals, roleChanges) {
		leaving[c.UserID] = true
	}
	var holders []string
	for id, m := range current {
		if admins[m.Role] {
			holders = append(holders, id)
			if !leaving[id] {
				adminsStay = true
			}
		}
	}
	if len(holders) == 0 || adminsStay || len(promotions) > 0 ||
		slices.ContainsFunc(adds, func(c Change) bool { return admins[c.Role] }) {
		return adminsStay, nil
	}
	slices.Sort(holders)
	return false, fmt.Errorf("%w: it removes or demotes every admin (%s) and makes nobody an admin (admin roles: %s); keep one of them, give an admin role to another user, or list one in Options.Keep",
		ErrNoAdmin, strings.Join(holders, ", "), strings.Join(slices.Sorted(maps.Keys(admins)), ", "))
}

// metadataPatch compares the member's stored metadata with the wanted one.
// Stored metadata is decoded only when a wanted map asks for a comparison.
func metadataPatch(cur *clerk.OrganizationMembership, w wanted) (clerk.UpdateOrganizationMembershipMetadataParams, error) {
	var p clerk.UpdateOrganizationMembershipMetadataParams
	if w.public != nil {
		stored, err := decodeObject(cur.PublicMetadata)
		if err != nil {
			return p, fmt.Errorf("the stored public_metadata %w", err)
		}
		p.PublicMetadata = mergePatch(stored, w.public)
	}
	if w.private != nil {
		stored, err := decodeObject(cur.PrivateMetadata)
		if err != nil {
			return p, fmt.Errorf("the stored private_metadata %w", err)
		}
		p.PrivateMetadata = mergePatch(stored, w.private)
	}
	return p, nil
}
