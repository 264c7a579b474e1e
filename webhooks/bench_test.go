package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkVerify compares Verify on a delivery of 4 KB (a membership event
// with some metadata) and 64 KB with the bare HMAC-SHA256 of the same signed
// bytes, "<id>.<timestamp>.<body>", the least any verification must do.
//
//	go test -run '^$' -bench BenchmarkVerify -count=10 ./webhooks/ | tee /tmp/verify.txt
//	go run golang.org/x/perf/cmd/benchstat@latest -col /impl /tmp/verify.txt
func BenchmarkVerify(b *testing.B) {
	for _, size := range []int{4 << 10, 64 << 10} {
		body := []byte(`{"pad":"` + strings.Repeat("x", size-10) + `"}`)
		ts := strconv.FormatInt(testNow.Unix(), 10)
		name := "size=" + strconv.Itoa(size>>10) + "KB"

		b.Run(name+"/impl=verify", func(b *testing.B) {
			v, _ := newVerifier(b, testNow, katSecret)
			h := signed(b, katSecret, testID, testNow, string(body))
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := v.Verify(h, body); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/impl=hmac", func(b *testing.B) {
			key, err := decodeSecret(katSecret)
			if err != nil {
				b.Fatal(err)
			}
			signedBytes := []byte(testID + "." + ts + "." + string(body))
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				mac := hmac.New(sha256.New, key)
				mac.Write(signedBytes)
				mac.Sum(nil)
			}
		})
	}
}
