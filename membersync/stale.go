package membersync

import (
	"fmt"
	"strconv"
	"strings"

	clerk "github.com/clerkkit/clerk-go"
)

// staleness says how a membership differs from what Plan read of it, or ""
// when it does not: it appeared or went away, or its role or updated_at
// changed.
func staleness(before observed, was bool, now *clerk.OrganizationMembership) string {
	switch {
	case was && now == nil:
		return "Plan read it as a member as " + before.role + "; it is not a member now"
	case !was && now != nil:
		return "Plan read no membership; it is a member as " + now.Role + " now"
	case !was:
		return ""
	case before.role != now.Role:
		return "Plan read its role as " + before.role + "; it is " + now.Role + " now"
	case before.updatedAt != now.UpdatedAt:
		return "its updated_at is " + strconv.FormatInt(now.UpdatedAt, 10) + " now, " + strconv.FormatInt(before.updatedAt, 10) + " when Plan read it"
	}
	return ""
}

// reached reports whether m (nil: no membership) is already as g wants.
func reached(g goal, m *clerk.OrganizationMembership) bool {
	if g.remove || m == nil {
		return g.remove && m == nil
	}
	if m.Role != g.role {
		return false
	}
	for _, md := range []struct {
		stored []byte
		want   map[string]any
	}{{m.PublicMetadata, g.public}, {m.PrivateMetadata, g.private}} {
		if md.want == nil {
			continue
		}
		stored, err := decodeObject(md.stored)
		if err != nil || !jsonEqual(stored, md.want) {
			return false
		}
	}
	return true
}

// checkStale settles, before anything is sent, each change whose membership
// differs from what Plan read: applied when the membership is already as the
// plan wants it, ErrStalePlan otherwise. A plan made by hand records nothing
// and is not checked.
func (a *applier) checkStale(fresh map[string]*clerk.OrganizationMembership) {
	if a.plan.read == nil {
		return
	}
	for i, c := range a.plan.Changes {
		before, was := a.plan.read[c.UserID]
		why := staleness(before, was, fresh[c.UserID])
		if why == "" {
			continue
		}
		if g, ok := a.plan.goals[c.UserID]; ok && reached(g, fresh[c.UserID]) {
			a.settle(i, nil)
			continue
		}
		a.settle(i, fmt.Errorf("membersync: %s: %w: %s; plan again to see it as it is", describe(c), ErrStalePlan, why))
	}
}

// depend keeps admins at every instant. When every member holding an admin
// role today is removed or demoted, each of those changes needs one of the
// changes that give an admin role (promotions, additions as an admin) and
// run before it to take effect; if they all fail, it is not sent.
func (a *applier) depend(fresh map[string]*clerk.OrganizationMembership) {
	leaving := map[string][]int{} // admin -> the changes that take the role away
	for i, c := range a.plan.Changes {
		if m := fresh[c.UserID]; m != nil && a.admins[m.Role] && !a.settled[i] &&
			(c.Kind == Remove || c.Kind == SetRole && !a.admins[c.Role]) {
			leaving[c.UserID] = append(leaving[c.UserID], i)
		}
	}
	holders := 0
	for id, m := range fresh {
		if a.admins[m.Role] {
			holders++
			if leaving[id] == nil {
				return // an admin stays
			}
		}
	}
	if holders == 0 {
		return
	}
	for _, indices := range leaving {
		for _, l := range indices {
			for i, c := range a.plan.Changes {
				gives := c.Kind == SetRole && a.admins[c.Role] || c.Kind == Add && a.admins[c.Role]
				if gives && a.run[i] < a.run[l] {
					a.needs[l] = append(a.needs[l], i)
				}
			}
		}
	}
}

// heldBack returns, for a change none of whose needs took effect, the error
// saying so; nil when it may be sent.
func (a *applier) heldBack(i int) error {
	if len(a.needs[i]) == 0 {
		return nil
	}
	var failed []string
	for _, n := range a.needs[i] {
		if a.settled[n] && a.results[n].Err == nil {
			return nil
		}
		failed = append(failed, describe(a.plan.Changes[n]))
	}
	return fmt.Errorf("membersync: %s: %w: it would leave the organization without an admin, and the change that was to give the role first failed (%s)",
		describe(a.plan.Changes[i]), ErrNotStarted, strings.Join(failed, ", "))
}
