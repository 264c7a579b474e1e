package webhooks_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/clerkkit/clerk-go/webhooks"
)

// The endpoint's signing secret, as the Clerk dashboard shows it. In a real
// program, read it from the environment or a secret store.
const signingSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// deliver sends body to h as Clerk would: a POST signed now.
func deliver(h http.Handler, id, body string) int {
	now := time.Now()
	sig, err := webhooks.Sign(signingSecret, id, now, []byte(body))
	if err != nil {
		log.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/webhooks/clerk", strings.NewReader(body))
	r.Header.Set("svix-id", id)
	r.Header.Set("svix-timestamp", strconv.FormatInt(now.Unix(), 10))
	r.Header.Set("svix-signature", sig)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

func ExampleHandler() {
	v, err := webhooks.NewVerifier(signingSecret) // during a rotation: NewVerifier(oldSecret, newSecret)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/webhooks/clerk", webhooks.Handler(v, func(ctx context.Context, e *webhooks.Event) error {
		switch e.Type {
		case webhooks.EventOrganizationMembershipCreated,
			webhooks.EventOrganizationMembershipUpdated,
			webhooks.EventOrganizationMembershipDeleted:
			m, err := e.OrganizationMembership()
			if err != nil {
				return err
			}
			// Store the change, keyed by m.ID; skip it if m.UpdatedAt is older
			// than what is stored, since events may arrive out of order.
			fmt.Println(e.Type, m.PublicUserData.UserID, m.Role, m.Organization.Slug)
		}
		return nil // any other type is acknowledged and ignored
	}))
	// In a real program: http.ListenAndServe(":8080", mux)

	body := `{"type":"organizationMembership.created","object":"event","timestamp":1716883200000,
	  "data":{"object":"organization_membership","id":"orgmem_1","role":"org:admin",
	    "organization":{"object":"organization","id":"org_1","slug":"acme-corp"},
	    "public_user_data":{"user_id":"user_1"},"updated_at":1716883200000}}`
	fmt.Println(deliver(mux, "msg_1", body))
	fmt.Println(deliver(mux, "msg_1", body), "(a redelivery: acknowledged, not handled again)")
	// Output:
	// organizationMembership.created user_1 org:admin acme-corp
	// 204
	// 204 (a redelivery: acknowledged, not handled again)
}

func ExampleVerifier_Verify() {
	v, err := webhooks.NewVerifier(signingSecret)
	if err != nil {
		log.Fatal(err)
	}
	// A delivery as it arrives: the raw body and the three svix-* headers.
	body := []byte(`{"type":"organizationMembership.deleted","object":"event","data":{}}`)
	now := time.Now()
	sig, err := webhooks.Sign(signingSecret, "msg_1", now, body)
	if err != nil {
		log.Fatal(err)
	}
	h := http.Header{}
	h.Set("svix-id", "msg_1")
	h.Set("svix-timestamp", strconv.FormatInt(now.Unix(), 10))
	h.Set("svix-signature", sig)

	fmt.Println(v.Verify(h, body))

	body[10] = 'X' // tampered with on the way
	err = v.Verify(h, body)
	fmt.Println(errors.Is(err, webhooks.ErrInvalidSignature))
	// Output:
	// <nil>
	// true
}

// ParseRequest suits a handler of your own, for instance one that logs why
// deliveries are refused.
func ExampleVerifier_ParseRequest() {
	v, err := webhooks.NewVerifier(os.Getenv("CLERK_WEBHOOK_SIGNING_SECRET"))
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhooks/clerk", func(w http.ResponseWriter, r *http.Request) {
		e, err := v.ParseRequest(r)
		if err != nil {
			log.Printf("refused a webhook delivery: %v", err)
			http.Error(w, "invalid delivery", http.StatusBadRequest)
			return
		}
		log.Printf("event %s: %s", e.ID, e.Type)
		w.WriteHeader(http.StatusNoContent)
	})
	log.Fatal(http.ListenAndServe(":8080", mux))
}

func ExampleSign() {
	// The Standard Webhooks known answer.
	sig, err := webhooks.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sig)
	// Output: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
}
