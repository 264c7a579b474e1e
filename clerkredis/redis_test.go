package clerkredis

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisServer is a redis-server started for the tests.
type redisServer struct {
	Addr string
	cmd  *exec.Cmd
}

// startRedis starts redis-server from PATH on a free loopback port with no
// persistence, in dir, and waits until it answers PING.
func startRedis(dir string, port int) (*redisServer, error) {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, err
	}
	if port == 0 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		port = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
	}
	cmd := exec.Command(path, "--port", fmt.Sprint(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &redisServer{Addr: fmt.Sprintf("127.0.0.1:%d", port), cmd: cmd}
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1})
	defer rdb.Close()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if rdb.Ping(context.Background()).Err() == nil {
			return s, nil
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("redis-server on %s did not answer PING within 10s", s.Addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop ends the server and waits for it.
func (s *redisServer) Stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

var (
	sharedAddr   string // the Redis every test uses; "" when there is none
	noRedisWhy   string
	prefixNumber atomic.Int64
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(m.Run())
	}
	var stop func()
	if addr := os.Getenv("CLERK_TEST_REDIS_ADDR"); addr != "" {
		sharedAddr = addr
	} else if dir, err := os.MkdirTemp("", "clerkredis-test"); err != nil {
		noRedisWhy = err.Error()
	} else if s, err := startRedis(dir, 0); err != nil {
		os.RemoveAll(dir)
		noRedisWhy = "CLERK_TEST_REDIS_ADDR is not set and redis-server could not be started: " + err.Error()
	} else {
		sharedAddr = s.Addr
		stop = func() { s.Stop(); os.RemoveAll(dir) }
	}
	code := m.Run()
	if stop != nil {
		stop()
	}
	os.Exit(code)
}

// needRedis skips (or, with CLERK_TEST_REQUIRE_SERVERS=1, fails) when there is
// no Redis.
func needRedis(t testing.TB) {
	t.Helper()
	if sharedAddr != "" {
		return
	}
	if os.Getenv("CLERK_TEST_REQUIRE_SERVERS") == "1" {
		t.Fatalf("no Redis, and CLERK_TEST_REQUIRE_SERVERS=1: %s", noRedisWhy)
	}
	t.Skipf("skipping: no Redis (%s); set CLERK_TEST_REDIS_ADDR or install redis-server", noRedisWhy)
}

// testRedis returns a new client of the shared Redis and a key prefix no
// other test uses.
func testRedis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	needRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: sharedAddr})
	t.Cleanup(func() { rdb.Close() })
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	return rdb, fmt.Sprintf("clerkredis-test:%d:%s:%d:", os.Getpid(), name, prefixNumber.Add(1))
}
