package webhooks

import (
	"encoding/json"
	"fmt"

	clerk "github.com/clerkkit/clerk-go"
)

// The event types whose Data is an organization invitation.
const (
	// EventOrganizationInvitationCreated: an invitation was sent (Create or
	// CreateBulk; one event per invitation).
	EventOrganizationInvitationCreated = "organizationInvitation.created"
	// EventOrganizationInvitationAccepted: the invitee accepted; an
	// EventOrganizationMembershipCreated for the new membership comes too.
	EventOrganizationInvitationAccepted = "organizationInvitation.accepted"
	// EventOrganizationInvitationRevoked: the invitation was revoked.
	EventOrganizationInvitationRevoked = "organizationInvitation.revoked"
)

// OrganizationInvitation decodes Data for the three organizationInvitation.*
// event types: the invitation as the API returns it, with the status the
// event gave it. It returns an error for any other type, and one wrapping
// ErrInvalidEvent when Data is not an invitation with an ID.
func (e *Event) OrganizationInvitation() (*clerk.OrganizationInvitation, error) {
	switch e.Type {
	case EventOrganizationInvitationCreated, EventOrganizationInvitationAccepted, EventOrganizationInvitationRevoked:
	default:
		return nil, fmt.Errorf("webhooks: a %q event does not carry an organization invitation", e.Type)
	}
	var inv *clerk.OrganizationInvitation
	if err := json.Unmarshal(e.Data, &inv); err != nil {
		return nil, fmt.Errorf("webhooks: the data of the %s event is not an invitation: %w: %w", e.Type, ErrInvalidEvent, err)
	}
	if inv == nil || inv.ID == "" {
		return nil, fmt.Errorf("webhooks: the data of the %s event has no invitation ID: %w", e.Type, ErrInvalidEvent)
	}
	return inv, nil
}
