package webhooks

import (
	"encoding/json"
	"testing"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// invitationJSON is the data of an organizationInvitation.* event: an
// OrganizationInvitation as the API returns it.
const invitationJSON = `{
  "object": "organization_invitation", "id": "orginv_2g7np7Hrk0SN6kj5EDMLDaKNL0S",
  "email_address": "jane.doe@acme.com", "role": "org:member", "role_name": "Member",
  "organization_id": "org_2g7np7Hrk0SN6kj5EDMLDaKNL0S", "inviter_id": null, "public_inviter_data": null,
  "status": "accepted", "public_metadata": {"team": "eng"}, "private_metadata": {},
  "url": null, "expires_at": 1719475200000, "created_at": 1716883200000, "updated_at": 1716883200001
}`

func TestOrganizationInvitation(t *testing.T) {
	tests := []struct {
		name    string
		typ     string
		data    string
		wantErr string // "" when it must succeed
		wantIs  error
	}{
		{"decodes a created event", EventOrganizationInvitationCreated, invitationJSON, "", nil},
		{"decodes an accepted event", EventOrganizationInvitationAccepted, invitationJSON, "", nil},
		{"decodes a revoked event", EventOrganizationInvitationRevoked, invitationJSON, "", nil},
		{"refuses a membership event", EventOrganizationMembershipCreated, membershipJSON, `webhooks: a "organizationMembership.created" event does not carry an organization invitation`, nil},
		{"refuses a type that differs only in case", "organizationinvitation.created", invitationJSON, `webhooks: a "organizationinvitation.created" event does not carry an organization invitation`, nil},
		{"refuses data that is absent", EventOrganizationInvitationCreated, "", "", ErrInvalidEvent},
		{"refuses null data", EventOrganizationInvitationRevoked, "null", "", ErrInvalidEvent},
		{"refuses data without an invitation ID", EventOrganizationInvitationAccepted, `{"status":"accepted"}`, "", ErrInvalidEvent},
		{"refuses a field of the wrong JSON type", EventOrganizationInvitationCreated, `{"id":"orginv_1","expires_at":"soon"}`, "", ErrInvalidEvent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Event{ID: testID, Type: tt.typ, Data: json.RawMessage(tt.data)}
			inv, err := e.OrganizationInvitation()
			switch {
			case tt.wantErr != "":
				assert.Nil(t, inv)
				require.EqualError(t, err, tt.wantErr)
			case tt.wantIs != nil:
				assert.Nil(t, inv)
				require.ErrorIs(t, err, tt.wantIs)
			default:
				require.NoError(t, err)
				var fromAPI clerk.OrganizationInvitation
				require.NoError(t, json.Unmarshal([]byte(invitationJSON), &fromAPI))
				assert.Equal(t, &fromAPI, inv)
				assert.Equal(t, "orginv_2g7np7Hrk0SN6kj5EDMLDaKNL0S", inv.ID)
				assert.Equal(t, "accepted", inv.Status)
				assert.Nil(t, inv.InviterID)
			}
		})
	}
}

func TestParseRequestDecodesAnInvitationEvent(t *testing.T) {
	v, _ := newVerifier(t, testNow, katSecret)
	body := `{"data":` + invitationJSON + `,"object":"event","type":"organizationInvitation.revoked","timestamp":1716883200000,"instance_id":"ins_1","event_attributes":{}}`
	e, err := v.ParseRequest(delivery(t, katSecret, testID, body))
	require.NoError(t, err)
	inv, err := e.OrganizationInvitation()
	require.NoError(t, err)
	assert.Equal(t, "jane.doe@acme.com", inv.EmailAddress)
	_, err = e.OrganizationMembership()
	assert.Error(t, err, "an invitation event carries no membership")
}
