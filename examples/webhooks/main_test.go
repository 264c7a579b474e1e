package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	clerk "github.com/clerkkit/clerk-go"
	"github.com/clerkkit/clerk-go/clerktest"
	"github.com/clerkkit/clerk-go/webhooks"
)

func TestTheProgramPrintsTheMirrorConverging(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	assert.Equal(t, ""+
		"after backfill:                    ada=org:admin bob=org:member\n"+
		"cy and dee join:                   ada=org:admin bob=org:member cy=org:member dee=org:member\n"+
		"bob becomes an admin:              ada=org:admin bob=org:admin cy=org:member dee=org:member\n"+
		"cy leaves, eve joins:              ada=org:admin bob=org:admin dee=org:member eve=org:member\n"+
		"events delivered: 5; mirror equals Clerk: true\n", out.String())
}

// countingApply wraps a mirror's Apply and counts its calls.
func countingApply(m *Mirror, calls *atomic.Int32) func(context.Context, *webhooks.Event) error {
	return func(ctx context.Context, e *webhooks.Event) error {
		calls.Add(1)
		return m.Apply(ctx, e)
	}
}

func TestTheMirrorEqualsAllAfterABurstOfConcurrentChanges(t *testing.T) {
	ctx := context.Background()
	srv := clerktest.NewServer()
	defer srv.Close()
	client := srv.Client()
	org := srv.AddOrganization("Acme Corp")
	srv.AddMembership(org, srv.AddUser(clerktest.User{FirstName: "Ada"}), clerktest.RoleAdmin)
	var seeded []string
	for range 10 {
		u := srv.AddUser(clerktest.User{})
		srv.AddMembership(org, u, clerktest.RoleMember)
		seeded = append(seeded, u)
	}

	mirror := NewMirror(org)
	var calls atomic.Int32
	receiver := httptest.NewUnstartedServer(nil)
	verifier, err := webhooks.NewVerifier(srv.AddWebhook("http://" + receiver.Listener.Addr().String() + "/"))
	require.NoError(t, err)
	receiver.Config.Handler = webhooks.Handler(verifier, countingApply(mirror, &calls))
	receiver.Start()
	defer receiver.Close()

	// The backfill and the burst overlap: 8 workers each add 5 users,
	// promote some, change metadata, and remove some of the seeded members
	// (one each) and some of their own, while the mirror backfills.
	s := client.OrganizationMemberships
	var changes atomic.Int32
	var wg sync.WaitGroup
	wg.Go(func() { assert.NoError(t, mirror.Backfill(ctx, client)) })
	for w := range 8 {
		wg.Go(func() {
			change := func(err error) {
				if assert.NoError(t, err) {
					changes.Add(1)
				}
			}
			for i := range 5 {
				u := srv.AddUser(clerktest.User{})
				_, _, err := s.Create(ctx, org, clerk.CreateOrganizationMembershipParams{UserID: u, Role: clerktest.RoleMember})
				change(err)
				if i%2 == 0 {
					_, _, err = s.Update(ctx, org, u, clerk.UpdateOrganizationMembershipParams{Role: clerktest.RoleAdmin})
					change(err)
				}
				_, _, err = s.UpdateMetadata(ctx, org, u, clerk.UpdateOrganizationMembershipMetadataParams{PublicMetadata: map[string]any{"worker": w}})
				change(err)
				if i == 4 {
					_, _, err = s.Delete(ctx, org, u)
					change(err)
				}
			}
			if w < len(seeded) {
				_, _, err := s.Delete(ctx, org, seeded[w])
				change(err)
			}
		})
	}
	wg.Wait()
	flushCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	require.NoError(t, srv.FlushWebhooks(flushCtx))

	want, err := fromClerk(ctx, client, org)
	require.NoError(t, err)
	assert.Equal(t, want, mirror.Members())
	assert.Len(t, want, 1+10-8+8*4, "Ada, 2 seeded members left, 4 of each worker's 5")
	assert.Equal(t, int32(8*(5+3+5+1+1)), changes.Load())
	assert.Equal(t, changes.Load(), calls.Load(), "one call of the handler function per change")
	assert.Len(t, srv.WebhookDeliveries(), int(changes.Load()), "every event delivered at the first attempt")
}

// deliver posts a signed event to h as Clerk would, and returns the status.
func deliver(t *testing.T, h http.Handler, secret, id, typ string, m map[string]any) int {
	t.Helper()
	body, err := json.Marshal(map[string]any{"data": m, "object": "event", "type": typ, "timestamp": time.Now().UnixMilli(), "instance_id": "ins_1"})
	require.NoError(t, err)
	now := time.Now()
	sig, err := webhooks.Sign(secret, id, now, body)
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("svix-id", id)
	req.Header.Set("svix-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("svix-signature", sig)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

func membership(id, user, role string, updatedAt int64) map[string]any {
	return map[string]any{
		"object": "organization_membership", "id": id, "role": role, "permissions": []string{}, "public_metadata": map[string]any{},
		"organization":     map[string]any{"object": "organization", "id": "org_1", "name": "Acme", "slug": "acme"},
		"public_user_data": map[string]any{"user_id": user},
		"created_at":       1, "updated_at": updatedAt,
	}
}

func TestLateRepeatedAndForeignEventsDoNotChangeTheMirror(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	verifier, err := webhooks.NewVerifier(secret)
	require.NoError(t, err)
	mirror := NewMirror("org_1")
	var calls atomic.Int32
	h := webhooks.Handler(verifier, countingApply(mirror, &calls))
	created, updated, deleted := webhooks.EventOrganizationMembershipCreated, webhooks.EventOrganizationMembershipUpdated, webhooks.EventOrganizationMembershipDeleted

	steps := []struct {
		name    string
		id, typ string
		m       map[string]any
		want    []string
		stale   int
	}{
		{"a newer update arrives first", "msg_2", updated, membership("orgmem_a", "user_a", "org:admin", 20), []string{"user_a org:admin"}, 0},
		{"the older create arrives late and is ignored", "msg_1", created, membership("orgmem_a", "user_a", "org:member", 10), []string{"user_a org:admin"}, 1},
		{"a redelivery of the update is acknowledged without calling Apply", "msg_2", updated, membership("orgmem_a", "user_a", "org:admin", 20), []string{"user_a org:admin"}, 1},
		{"another organization's event is ignored", "msg_3", created, func() map[string]any {
			m := membership("orgmem_b", "user_b", "org:member", 30)
			m["organization"] = map[string]any{"object": "organization", "id": "org_other"}
			return m
		}(), []string{"user_a org:admin"}, 1},
		{"the delete removes the member", "msg_4", deleted, membership("orgmem_a", "user_a", "org:admin", 20), []string{}, 1},
		{"an update delayed past the delete does not bring the member back", "msg_5", updated, membership("orgmem_a", "user_a", "org:member", 25), []string{}, 2},
		{"re-adding the user is a new membership and counts", "msg_6", created, membership("orgmem_c", "user_a", "org:member", 40), []string{"user_a org:member"}, 2},
	}
	for i, st := range steps {
		assert.Equal(t, http.StatusNoContent, deliver(t, h, secret, st.id, st.typ, st.m), st.name)
		assert.Equal(t, st.want, mirror.Members(), st.name)
		assert.Equal(t, st.stale, mirror.Stale(), st.name)
		wantCalls := int32(i + 1)
		if i >= 2 {
			wantCalls = int32(i) // the redelivery never reached Apply
		}
		assert.Equal(t, wantCalls, calls.Load(), fmt.Sprintf("calls after %q", st.name))
	}
}
