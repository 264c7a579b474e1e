package webhooks

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	clerk "github.com/clerkkit/clerk-go"
)

// The event types whose Data is an organization membership.
const (
	EventOrganizationMembershipCreated = "organizationMembership.created"
	EventOrganizationMembershipUpdated = "organizationMembership.updated"
	EventOrganizationMembershipDeleted = "organizationMembership.deleted"
)

// Event is one verified delivery. Clerk may deliver an event more than once
// (always with the same ID) and out of order: compare the updated_at of the
// data, not the arrival order.
type Event struct {
	// ID is the message ID of the svix-id (or webhook-id) header, the same on
	// every redelivery of the event.
	ID string `json:"-"`
	// Type says what happened, such as EventOrganizationMembershipCreated.
	Type string `json:"type"`
	// Object is always "event".
	Object string `json:"object"`
	// InstanceID is the Clerk instance the event comes from ("ins_...").
	InstanceID string `json:"instance_id"`
	// Timestamp is when the event happened, in Unix milliseconds (unlike the
	// timestamp header, which is in seconds).
	Timestamp int64 `json:"timestamp"`
	// Data is the object the event is about, raw; for the membership types,
	// decode it with OrganizationMembership.
	Data json.RawMessage `json:"data"`
	// Attributes describes the request that caused the event, when there was
	// one.
	Attributes EventAttributes `json:"event_attributes"`
}

// EventAttributes describes what caused an event.
type EventAttributes struct {
	// HTTPRequest is the request to Clerk that caused the event; nil when
	// Clerk sent none.
	HTTPRequest *HTTPRequest `json:"http_request,omitempty"`
}

// HTTPRequest is the request to Clerk that caused an event.
type HTTPRequest struct {
	ClientIP  string `json:"client_ip"`
	UserAgent string `json:"user_agent"`
}

// ParseRequest reads r.Body, at most MaxBodySize bytes of it, verifies it
// against r.Header as Verify does, and only then decodes the event. It does
// not close r.Body. The error wraps ErrBodyTooLarge (also when r.Body is an
// http.MaxBytesReader that hit its limit), one of Verify's errors, or
// ErrInvalidEvent when the verified body is not a JSON object with a type;
// it is a plain error when reading the body fails.
func (v *Verifier) ParseRequest(r *http.Request) (*Event, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	id, err := v.verify(r.Header, body)
	if err != nil {
		return nil, err
	}
	e := &Event{ID: id}
	if err := json.Unmarshal(body, e); err != nil {
		return nil, fmt.Errorf("webhooks: the body is not a JSON event: %w: %w", ErrInvalidEvent, err)
	}
	if e.Type == "" {
		return nil, fmt.Errorf("webhooks: the event has no type: %w", ErrInvalidEvent)
	}
	return e, nil
}

// readBody reads all of r.Body, refusing more than MaxBodySize bytes.
func readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > MaxBodySize {
		return nil, fmt.Errorf("webhooks: the body is %d bytes, more than %d: %w", r.ContentLength, MaxBodySize, ErrBodyTooLarge)
	}
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodySize+1))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, fmt.Errorf("webhooks: the body is more than %d bytes: %w: %w", tooLarge.Limit, ErrBodyTooLarge, err)
	case err != nil:
		return nil, fmt.Errorf("webhooks: reading the body: %w", err)
	case len(body) > MaxBodySize:
		return nil, fmt.Errorf("webhooks: the body is more than %d bytes: %w", MaxBodySize, ErrBodyTooLarge)
	}
	return body, nil
}

// OrganizationMembership decodes Data for the three organizationMembership.*
// event types: the membership as the API returns it, and for
// EventOrganizationMembershipDeleted the membership as it was before it was
// deleted. It returns an error for any other type, and one wrapping
// ErrInvalidEvent when Data is not a membership with an ID.
func (e *Event) OrganizationMembership() (*clerk.OrganizationMembership, error) {
	switch e.Type {
	case EventOrganizationMembershipCreated, EventOrganizationMembershipUpdated, EventOrganizationMembershipDeleted:
	default:
		return nil, fmt.Errorf("webhooks: a %q event does not carry an organization membership", e.Type)
	}
	var m *clerk.OrganizationMembership
	if err := json.Unmarshal(e.Data, &m); err != nil {
		return nil, fmt.Errorf("webhooks: the data of the %s event is not a membership: %w: %w", e.Type, ErrInvalidEvent, err)
	}
	if m == nil || m.ID == "" {
		return nil, fmt.Errorf("webhooks: the data of the %s event has no membership ID: %w", e.Type, ErrInvalidEvent)
	}
	return m, nil
}
