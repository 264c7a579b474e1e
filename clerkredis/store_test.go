package clerkredis

import (
	"context"
	"testing"
	"time"

	"github.com/clerkkit/clerk-go/webhooks"
	"github.com/redis/go-redis/v9"
)

func TestStore(t *testing.T) {
	rdb, prefix := testRedis(t)
	other := redis.NewClient(&redis.Options{Addr: sharedAddr})
	defer other.Close()
	a, b := NewStore(rdb, prefix), NewStore(other, prefix)
	ctx := context.Background()
	claim := func(t *testing.T, s *Store, id string, lease time.Duration, want webhooks.ClaimResult) {
		t.Helper()
		got, err := s.Claim(ctx, id, lease)
		if err != nil || got != want {
			t.Fatalf("Claim(%q) = %v, %v; want %v", id, got, err, want)
		}
	}
	t.Run("a live claim makes another Store's claim Busy", func(t *testing.T) {
		claim(t, a, "e1", time.Minute, webhooks.Claimed)
		claim(t, b, "e1", time.Minute, webhooks.Busy)
	})
	t.Run("Release by another Store leaves the claim", func(t *testing.T) {
		if err := b.Release(ctx, "e1"); err != nil {
			t.Fatal(err)
		}
		claim(t, b, "e1", time.Minute, webhooks.Busy)
	})
	t.Run("Release by the claiming Store lets a redelivery be claimed", func(t *testing.T) {
		if err := a.Release(ctx, "e1"); err != nil {
			t.Fatal(err)
		}
		claim(t, b, "e1", time.Minute, webhooks.Claimed)
	})
	t.Run("Complete makes every later claim Handled", func(t *testing.T) {
		if err := b.Complete(ctx, "e1", time.Hour); err != nil {
			t.Fatal(err)
		}
		claim(t, a, "e1", time.Minute, webhooks.Handled)
		if n := rdb.Exists(ctx, prefix+"claim:e1").Val(); n != 0 {
			t.Fatalf("the claim key still exists after Complete")
		}
	})
	t.Run("an expired lease can be claimed again, and the old holder's Release leaves the new claim", func(t *testing.T) {
		claim(t, a, "e2", 50*time.Millisecond, webhooks.Claimed)
		time.Sleep(120 * time.Millisecond)
		claim(t, b, "e2", time.Minute, webhooks.Claimed)
		if err := a.Release(ctx, "e2"); err != nil {
			t.Fatal(err)
		}
		claim(t, a, "e2", time.Minute, webhooks.Busy)
	})
	t.Run("the handled record expires after the retention", func(t *testing.T) {
		claim(t, a, "e3", time.Minute, webhooks.Claimed)
		if err := a.Complete(ctx, "e3", 50*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		claim(t, b, "e3", time.Minute, webhooks.Handled)
		time.Sleep(120 * time.Millisecond)
		claim(t, b, "e3", time.Minute, webhooks.Claimed)
	})
	t.Run("a lease or retention under 1ms is refused", func(t *testing.T) {
		if _, err := a.Claim(ctx, "e4", 0); err == nil {
			t.Fatal("Claim with a zero lease succeeded")
		}
		if err := a.Complete(ctx, "e4", 0); err == nil {
			t.Fatal("Complete with a zero retention succeeded")
		}
	})
}
