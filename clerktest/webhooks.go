package clerktest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/clerkkit/clerk-go/webhooks"
)

// How deliveries are attempted: a much shorter schedule than Svix's (seconds
// to hours), so that tests of retries run in milliseconds.
const (
	webhookAttempts      = 5                     // the first and 4 more
	webhookFirstBackoff  = 10 * time.Millisecond // doubled after each failed attempt
	webhookAttemptLimit  = 5 * time.Second       // for one attempt, answer included
	webhookUserAgent     = "Svix-Webhooks/1.0 (clerktest)"
	webhookMaxAnswerRead = 64 << 10 // bytes of a receiver's answer read, to reuse the connection
)

// errWebhooksStopped is FlushWebhooks' error when Close dropped events.
var errWebhooksStopped = errors.New("clerktest: the server was closed before every webhook event was delivered")

// A WebhookDelivery is one attempt to deliver an event to an endpoint added
// with AddWebhook.
type WebhookDelivery struct {
	// URL is the endpoint's URL, as given to AddWebhook.
	URL string
	// EventID is the svix-id header: the same on every attempt of one event,
	// and at every endpoint.
	EventID string
	// EventType is the event's type, such as "organizationMembership.created".
	EventType string
	// Attempt counts the attempts of this event at this endpoint, from 1.
	Attempt int
	// Status is the status the receiver answered with; 0 when the
	// connection failed or the attempt timed out.
	Status int
}

// webhookState is a Server's webhook endpoints and what they were sent.
// Every field is guarded by Server.mu, except wg and those set once by
// start (stop, cancel, client, instanceID), which are read-only after it.
type webhookState struct {
	instanceID string // one per Server, in every event
	endpoints  []*endpoint
	deliveries []WebhookDelivery
	// progress is closed, and replaced, whenever an endpoint finishes an
	// event and when Close stops delivery, for FlushWebhooks to look again.
	progress chan struct{}
	closed   bool // Close has stopped delivery; no more events or endpoints start

	stop   context.Context // ends when Close stops delivery
	cancel context.CancelFunc
	client *http.Client // the server's own, never a clerk client's
	wg     sync.WaitGroup
}

// endpoint is one URL added with AddWebhook, and its queue of events.
// Its goroutine delivers one event at a time, in the order they were queued.
type endpoint struct {
	url, secret string
	pending     []*event      // queued, not yet started
	queued      int           // events ever queued
	finished    int           // events delivered, given up on or dropped
	wake        chan struct{} // buffered: pending has grown
}

// event is one membership change, ready to send to every endpoint.
type event struct {
	id, typ string
	body    []byte
}

// The JSON shape of an event, in Clerk's field order.
type eventJSON struct {
	Data            any                 `json:"data"` // membershipJSON or invitationJSON
	Object          string              `json:"object"`
	Type            string              `json:"type"`
	Timestamp       int64               `json:"timestamp"` // Unix milliseconds
	InstanceID      string              `json:"instance_id"`
	EventAttributes eventAttributesJSON `json:"event_attributes"`
}

type eventAttributesJSON struct {
	HTTPRequest httpRequestJSON `json:"http_request"`
}

// httpRequestJSON says who made the API request that caused an event.
type httpRequestJSON struct {
	ClientIP  string `json:"client_ip"`
	UserAgent string `json:"user_agent"`
}

// requestOrigin returns the client IP and User-Agent of an API request.
func requestOrigin(r *http.Request) httpRequestJSON {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	return httpRequestJSON{ClientIP: ip, UserAgent: r.UserAgent()}
}

// AddWebhook makes the server deliver a signed event to url for every
// membership created, updated (role or metadata) or deleted through the API,
// as Clerk does through Svix, and returns the endpoint's signing secret
// ("whsec_" + base64), for webhooks.NewVerifier.
//
// Only changes that took effect make events, including those under a fault
// with AfterApplying; AddMembership, which bypasses the API, makes none, and
// an endpoint gets only the changes made after it was added. Each endpoint
// gets its events one at a time, in the order of the changes, with the
// headers svix-id, svix-timestamp and svix-signature. An attempt answered
// with a non-2xx status (redirects are not followed), or whose connection
// fails or takes longer than 5 seconds, is made again with the same svix-id
// after 10, 20, 40 and 80 ms; after the fifth attempt the event is given up
// on and the endpoint goes on with the next. Deliveries run in the
// background and never hold up the API's answers.
//
// After Close it still returns a secret, but delivers nothing. It panics if
// url is not an absolute http or https URL, which is a bug in the test.
func (s *Server) AddWebhook(url string) (secret string) {
	if !isHTTPURL(url) {
		panic("clerktest: the webhook URL " + strconv.Quote(url) + " is not an absolute http or https URL")
	}
	key := make([]byte, 24)
	_, _ = rand.Read(key)
	e := &endpoint{url: url, secret: "whsec_" + base64.StdEncoding.EncodeToString(key), wake: make(chan struct{}, 1)}

	s.mu.Lock()
	defer s.mu.Unlock()
	h := &s.hooks
	if h.closed {
		return e.secret
	}
	if h.stop == nil {
		h.start()
	}
	h.endpoints = append(h.endpoints, e)
	stop, client := h.stop, h.client
	h.wg.Go(func() { s.deliverEvents(stop, client, e) })
	return e.secret
}

func isHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// start readies delivery when the first endpoint is added. The caller holds
// Server.mu.
func (h *webhookState) start() {
	h.instanceID = "ins_" + randomID(27)
	h.progress = make(chan struct{})
	h.stop, h.cancel = context.WithCancel(context.Background())
	h.client = &http.Client{
		// A transport of its own, not http.DefaultTransport, which tests may
		// have replaced (httpmock does) and which would use a proxy.
		Transport: &http.Transport{
			DialContext:     (&net.Dialer{Timeout: webhookAttemptLimit}).DialContext,
			IdleConnTimeout: 30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // as Svix, which counts a redirect as a failure
		},
	}
}

// notify wakes every FlushWebhooks waiting. The caller holds Server.mu.
func (h *webhookState) notify() {
	if h.progress != nil {
		close(h.progress)
		h.progress = make(chan struct{})
	}
}

// FlushWebhooks waits until every event queued so far has been delivered or
// given up on at every endpoint. It returns ctx.Err() if ctx ends first, and
// an error if Close dropped some of them.
func (s *Server) FlushWebhooks(ctx context.Context) error {
	type target struct {
		e *endpoint
		n int // e.finished to wait for
	}
	s.mu.Lock()
	targets := make([]target, len(s.hooks.endpoints))
	for i, e := range s.hooks.endpoints {
		targets[i] = target{e, e.queued}
	}
	s.mu.Unlock()

	for {
		s.mu.Lock()
		done := true
		for _, t := range targets {
			done = done && t.e.finished >= t.n
		}
		closed, progress := s.hooks.closed, s.hooks.progress
		s.mu.Unlock()
		switch {
		case done:
			return nil
		case closed:
			return errWebhooksStopped
		}
		select {
		case <-progress:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WebhookDeliveries returns a copy of every delivery attempt so far, at
// every endpoint, in the order they ended. An attempt cut short by Close is
// not included.
func (s *Server) WebhookDeliveries() []WebhookDelivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]WebhookDelivery(nil), s.hooks.deliveries...)
}

// queueEvent queues an event of type typ about the membership or
// invitation rendered as data, caused by an API request from origin, for every endpoint. It never
// blocks. The caller holds s.mu, so that events queue in the order of the
// changes.
func (s *Server) queueEvent(typ string, data any, origin httpRequestJSON) {
	h := &s.hooks
	if len(h.endpoints) == 0 || h.closed {
		return
	}
	body, err := json.Marshal(eventJSON{
		Data: data, Object: "event", Type: typ, Timestamp: time.Now().UnixMilli(), InstanceID: h.instanceID,
		EventAttributes: eventAttributesJSON{HTTPRequest: origin},
	})
	if err != nil {
		panic("clerktest: encoding a webhook event: " + err.Error()) // metadata came from JSON, so it encodes
	}
	ev := &event{id: "msg_" + randomID(27), typ: typ, body: body}
	for _, e := range h.endpoints {
		e.pending = append(e.pending, ev)
		e.queued++
		select {
		case e.wake <- struct{}{}:
		default: // already signalled
		}
	}
}

// deliverEvents delivers e's events one at a time, in order, until stop ends.
// Events still pending then are dropped.
func (s *Server) deliverEvents(stop context.Context, client *http.Client, e *endpoint) {
	for {
		s.mu.Lock()
		var ev *event
		if len(e.pending) > 0 {
			ev = e.pending[0]
			e.pending[0] = nil
			e.pending = e.pending[1:]
		}
		s.mu.Unlock()
		if ev == nil {
			select {
			case <-e.wake:
				continue
			case <-stop.Done():
				return
			}
		}
		if !s.deliver(stop, client, e, ev) {
			return
		}
		s.mu.Lock()
		e.finished++
		s.hooks.notify()
		s.mu.Unlock()
	}
}

// deliver attempts to deliver ev to e until it succeeds or webhookAttempts
// have failed, recording each attempt. It reports false when stop ended first.
func (s *Server) deliver(stop context.Context, client *http.Client, e *endpoint, ev *event) bool {
	backoff := webhookFirstBackoff
	for attempt := 1; ; attempt++ {
		status := post(stop, client, e, ev)
		if stop.Err() != nil {
			return false
		}
		s.mu.Lock()
		s.hooks.deliveries = append(s.hooks.deliveries, WebhookDelivery{
			URL: e.url, EventID: ev.id, EventType: ev.typ, Attempt: attempt, Status: status,
		})
		s.mu.Unlock()
		if status >= 200 && status <= 299 || attempt == webhookAttempts {
			return true
		}
		timer := time.NewTimer(backoff)
		select {
		case <-timer.C:
		case <-stop.Done():
			timer.Stop()
			return false
		}
		backoff *= 2
	}
}

// post makes one signed attempt to deliver ev to e and returns the status
// the receiver answered with, or 0 when there was no answer in time.
func post(stop context.Context, client *http.Client, e *endpoint, ev *event) int {
	ctx, cancel := context.WithTimeout(stop, webhookAttemptLimit)
	defer cancel()
	now := time.Now()
	signature, err := webhooks.Sign(e.secret, ev.id, now, ev.body)
	if err != nil {
		panic("clerktest: " + err.Error()) // the secret is AddWebhook's own, so it decodes
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(ev.body))
	if err != nil {
		return 0 // AddWebhook checked the URL, so this does not happen
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", webhookUserAgent)
	req.Header.Set("svix-id", ev.id)
	req.Header.Set("svix-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("svix-signature", signature)
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, webhookMaxAnswerRead))
	return resp.StatusCode
}

// stopWebhooks stops delivery, drops the events not yet delivered and waits
// for the delivery goroutines to end, cutting short any attempt in flight.
func (s *Server) stopWebhooks() {
	s.mu.Lock()
	h := &s.hooks
	h.closed = true
	h.notify()
	cancel, client := h.cancel, h.client
	s.mu.Unlock()
	if cancel == nil {
		return // no endpoint was ever added
	}
	cancel()
	h.wg.Wait()
	client.CloseIdleConnections()
}
