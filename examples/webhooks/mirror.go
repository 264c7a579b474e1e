package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/webhooks"
)

// Mirror is a service's own copy of one organization's members, kept
// current by Clerk's membership events. It is safe for concurrent use.
//
// Svix may deliver an event more than once and events out of order, so
// every change is applied by rule rather than in arrival order: a membership
// is replaced only by a newer version of itself (a larger updated_at), and a
// deleted membership stays deleted (Clerk gives a re-added member a new
// membership ID). Redeliveries of one event ID never reach Apply twice:
// webhooks.Handler acknowledges them without calling it.
type Mirror struct {
	orgID string

	mu      sync.Mutex
	byID    map[string]*clerk.OrganizationMembership // by membership ID
	deleted map[string]bool                          // membership IDs seen deleted
	stale   int                                      // events ignored as older than what the mirror holds
}

// NewMirror returns an empty mirror of the organization's members.
func NewMirror(organizationID string) *Mirror {
	return &Mirror{orgID: organizationID, byID: map[string]*clerk.OrganizationMembership{}, deleted: map[string]bool{}}
}

// Backfill loads every current member with All. Events that arrive while it
// runs are applied by the same rules, so the two may interleave.
func (m *Mirror) Backfill(ctx context.Context, client *clerk.Client) error {
	for om, err := range client.OrganizationMemberships.All(ctx, m.orgID, nil) {
		if err != nil {
			return fmt.Errorf("backfilling the mirror: %w", err)
		}
		m.upsert(om)
	}
	return nil
}

// Apply is the webhooks.Handler function: it applies one verified event.
// Events of other types or organizations are acknowledged and ignored.
func (m *Mirror) Apply(_ context.Context, e *webhooks.Event) error {
	switch e.Type {
	case webhooks.EventOrganizationMembershipCreated, webhooks.EventOrganizationMembershipUpdated,
		webhooks.EventOrganizationMembershipDeleted:
	default:
		return nil
	}
	om, err := e.OrganizationMembership()
	if err != nil {
		return err // a 500: Svix delivers it again, and the failure shows in its dashboard
	}
	if om.Organization == nil || om.Organization.ID != m.orgID {
		return nil
	}
	if e.Type == webhooks.EventOrganizationMembershipDeleted {
		m.remove(om)
	} else {
		m.upsert(om)
	}
	return nil
}

func (m *Mirror) upsert(om *clerk.OrganizationMembership) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur := m.byID[om.ID]; m.deleted[om.ID] || cur != nil && cur.UpdatedAt >= om.UpdatedAt {
		m.stale++
		return
	}
	m.byID[om.ID] = om
}

func (m *Mirror) remove(om *clerk.OrganizationMembership) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.deleted[om.ID] = true
	delete(m.byID, om.ID)
}

// Members returns "user_id role" for every member, sorted.
func (m *Mirror) Members() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.byID))
	for _, om := range m.byID {
		out = append(out, memberLine(om))
	}
	slices.Sort(out)
	return out
}

// Stale returns how many events were ignored as older than the mirror.
func (m *Mirror) Stale() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stale
}

// memberLine describes a membership as the mirror lists it.
func memberLine(om *clerk.OrganizationMembership) string {
	user := "?"
	if om.PublicUserData != nil {
		user = om.PublicUserData.UserID
	}
	return strings.Join([]string{user, om.Role}, " ")
}

// fromClerk lists the organization's members as Members does, read from
// the API with All, to compare.
func fromClerk(ctx context.Context, client *clerk.Client, orgID string) ([]string, error) {
	var out []string
	for om, err := range client.OrganizationMemberships.All(ctx, orgID, nil) {
		if err != nil {
			return nil, err
		}
		out = append(out, memberLine(om))
	}
	slices.Sort(out)
	return out, nil
}
