// Package clerkredis gives a fleet of processes one Clerk rate budget and one
// record of handled webhooks, on Redis.
//
// Clerk counts requests per instance (per secret key), not per process. A
// [Limiter] made with NewLimiter shares its budget with every Limiter made
// with the same Redis and key, whatever the number of processes, and Redis's
// clock is the only one that counts. A [Store] made with NewStore is a
// webhooks.Store that every replica behind one endpoint shares.
//
// The module is separate from github.com/clerkkit/clerk-go so that Redis
// (github.com/redis/go-redis/v9) never enters the library's dependencies.
package clerkredis
