package evidence

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// S3 keeps evidence bytes as the objects of one bucket of an S3-compatible store (AWS S3,
// SeaweedFS, MinIO, Ceph), each named by its key, through the four requests it needs (PUT,
// GET, HEAD and DELETE of an object), addressed path-style and signed with AWS Signature
// Version 4. S3 makes an object whole or not at all, so a Put needs no temporary object.
type S3 struct {
	endpoint *url.URL // scheme and host
	bucket   string
	region   string
	access   string
	secret   string
	client   *http.Client
	now      func() time.Time
}

var _ Blobs = (*S3)(nil)

// S3Options say where the bucket is and how to sign for it.
type S3Options struct {
	// URL is the bucket's address, path-style: http://127.0.0.1:8333/gridgov-evidence.
	URL       string
	Region    string // us-east-1 when empty
	AccessKey string
	SecretKey string
}

// OpenS3 opens the bucket o names, creating it if it does not exist.
func OpenS3(ctx context.Context, o S3Options) (*S3, error) {
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("evidence: an S3 bucket's URL is http(s)://host/bucket, not %q", o.URL)
	}
	bucket := strings.Trim(u.Path, "/")
	if bucket == "" || strings.Contains(bucket, "/") {
		return nil, fmt.Errorf("evidence: the S3 URL %q names no bucket (http(s)://host/bucket)", o.URL)
	}
	region := o.Region
	if region == "" {
		region = "us-east-1"
	}
	s := &S3{endpoint: &url.URL{Scheme: u.Scheme, Host: u.Host}, bucket: bucket, region: region, access: o.AccessKey,
		secret: o.SecretKey, client: &http.Client{Timeout: time.Minute}, now: time.Now}
	return s, s.createBucket(ctx)
}

// createBucket makes the bucket, unless it is there.
func (s *S3) createBucket(ctx context.Context) error {
	resp, err := s.do(ctx, http.MethodHead, "", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	if resp, err = s.do(ctx, http.MethodPut, "", nil); err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusConflict { // made, or made meanwhile
		return nil
	}
	return s.failed("create bucket", resp)
}

// Put uploads b under its key, unless an object of its size is there already.
func (s *S3) Put(ctx context.Context, b []byte) (string, error) {
	key := Key(b)
	if n, err := s.Stat(ctx, key); err == nil && n == int64(len(b)) {
		return key, nil
	}
	resp, err := s.do(ctx, http.MethodPut, key, b)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", s.failed("put", resp)
	}
	return key, nil
}

// Open downloads the object of key. Evidence is small (a file's limit), so it is read whole:
// the reader seeks in memory.
func (s *S3) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	if !ValidKey(key) {
		return nil, errBadKey
	}
	resp, err := s.do(ctx, http.MethodGet, key, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("evidence: get %s: %w", key, err)
		}
		return nopCloser{bytes.NewReader(b)}, nil
	case http.StatusNotFound:
		return nil, ErrNotFound
	}
	return nil, s.failed("get", resp)
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// Stat asks for the size of the object of key.
func (s *S3) Stat(ctx context.Context, key string) (int64, error) {
	if !ValidKey(key) {
		return 0, errBadKey
	}
	resp, err := s.do(ctx, http.MethodHead, key, nil)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return resp.ContentLength, nil
	case http.StatusNotFound:
		return 0, ErrNotFound
	}
	return 0, s.failed("head", resp)
}

// Delete deletes the object of key.
func (s *S3) Delete(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return errBadKey
	}
	resp, err := s.do(ctx, http.MethodDelete, key, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNotFound {
		return nil
	}
	return s.failed("delete", resp)
}

// failed is the error of an answer S3 should not have given, with the start of its body.
func (s *S3) failed(op string, resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return fmt.Errorf("evidence: S3 %s in bucket %s: %s: %s", op, s.bucket, resp.Status, strings.TrimSpace(string(b)))
}

// do sends a signed request for the object key of the bucket ("" for the bucket itself).
func (s *S3) do(ctx context.Context, method, key string, body []byte) (*http.Response, error) {
	u := *s.endpoint
	u.Path = "/" + s.bucket + "/" + key
	if key == "" {
		u.Path = "/" + s.bucket
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.ContentLength = int64(len(body))
	if body == nil {
		req.Body = http.NoBody
	}
	s.sign(req, body)
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("evidence: S3 %s: %w", method, err)
	}
	return resp, nil
}

// sign adds AWS Signature Version 4 to req (service s3, the payload's hash signed).
func (s *S3) sign(req *http.Request, body []byte) {
	now := s.now().UTC()
	stamp, day := now.Format("20060102T150405Z"), now.Format("20060102")
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Date", stamp)
	req.Header.Set("X-Amz-Content-Sha256", payload)
	headers := map[string]string{"host": req.URL.Host, "x-amz-date": stamp, "x-amz-content-sha256": payload}
	names := make([]string, 0, len(headers))
	for n := range headers {
		names = append(names, n)
	}
	sort.Strings(names)
	var canonHeaders strings.Builder
	for _, n := range names {
		canonHeaders.WriteString(n + ":" + headers[n] + "\n")
	}
	signed := strings.Join(names, ";")
	canonical := strings.Join([]string{req.Method, req.URL.EscapedPath(), "", canonHeaders.String(), signed, payload}, "\n")
	scope := day + "/" + s.region + "/s3/aws4_request"
	hashed := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + stamp + "\n" + scope + "\n" + hex.EncodeToString(hashed[:])
	key := hmacOf([]byte("AWS4"+s.secret), day)
	for _, part := range []string{s.region, "s3", "aws4_request"} {
		key = hmacOf(key, part)
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+s.access+"/"+scope+", SignedHeaders="+signed+
		", Signature="+hex.EncodeToString(hmacOf(key, toSign)))
}

func hmacOf(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}
