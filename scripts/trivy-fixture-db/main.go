// Command trivy-fixture-db builds an offline Trivy vulnerability database for contsec's tests.
//
// Test tooling only (not part of the product): Trivy cannot download its database on a machine without
// internet access, but it scans just as well against a database built locally from fixture YAML. The YAML
// layout is the one Trivy's own integration tests load (a list of {bucket, pairs}; a pair is a nested
// {bucket, pairs} or a {key, value} whose value is stored as JSON), and the result is trivy-db's schema 2
// layout: <cache>/db/trivy.db (bbolt) and <cache>/db/metadata.json.
//
// Built in GOPATH mode from Debian's packages, so nothing is downloaded:
//
//	GO111MODULE=off GOPATH=$tmp:/usr/share/gocode go build -o trivy-fixture-db ./scripts/trivy-fixture-db
//	trivy-fixture-db --cache-dir DIR FIXTURE.yaml...
//
// Trivy then scans with --cache-dir DIR --skip-db-update --skip-java-db-update --offline-scan.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	"gopkg.in/yaml.v3"
)

// The trivy-db schema version Trivy 0.76 reads.
const schemaVersion = 2

// entry is one element of a fixture list: a bucket with pairs, or a key with a value.
type entry struct {
	Bucket *string     `yaml:"bucket"`
	Pairs  []entry     `yaml:"pairs"`
	Key    *string     `yaml:"key"`
	Value  interface{} `yaml:"value"`
}

type metadata struct {
	Version      int       `json:"Version"`
	NextUpdate   time.Time `json:"NextUpdate"`
	UpdatedAt    time.Time `json:"UpdatedAt"`
	DownloadedAt time.Time `json:"DownloadedAt"`
}

func main() {
	cacheDir := flag.String("cache-dir", "", "Trivy cache directory; the database goes to <cache-dir>/db/")
	validFor := flag.Duration("valid-for", 10*365*24*time.Hour,
		"NextUpdate = now + this, so that a scan without --skip-db-update does not try to replace the fixture database")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: trivy-fixture-db --cache-dir DIR FIXTURE.yaml...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *cacheDir == "" || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	count, err := build(*cacheDir, flag.Args(), *validFor)
	if err != nil {
		fmt.Fprintf(os.Stderr, "trivy-fixture-db: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("trivy-fixture-db: %d keys from %d files written to %s\n", count,
		flag.NArg(), filepath.Join(*cacheDir, "db", "trivy.db"))
}

// build writes the database next to its final place and renames it in, so a reader sees the old or the new
// database, never half of one.
func build(cacheDir string, files []string, validFor time.Duration) (int, error) {
	dbDir := filepath.Join(cacheDir, "db")
	if err := os.MkdirAll(dbDir, 0o755); err != nil {
		return 0, err
	}
	tmpPath := filepath.Join(dbDir, fmt.Sprintf(".trivy.db.%d", os.Getpid()))
	os.Remove(tmpPath)
	defer os.Remove(tmpPath)
	db, err := bolt.Open(tmpPath, 0o644, &bolt.Options{Timeout: 10 * time.Second})
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", tmpPath, err)
	}
	count := 0
	err = db.Update(func(tx *bolt.Tx) error {
		for _, file := range files {
			n, err := loadFile(tx, file)
			if err != nil {
				return err
			}
			count += n
		}
		return nil
	})
	if closeErr := db.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return 0, err
	}
	if err := os.Rename(tmpPath, filepath.Join(dbDir, "trivy.db")); err != nil {
		return 0, err
	}
	now := time.Now().UTC().Truncate(time.Second)
	meta, err := json.Marshal(metadata{Version: schemaVersion, NextUpdate: now.Add(validFor), UpdatedAt: now, DownloadedAt: now})
	if err != nil {
		return 0, err
	}
	metaTmp := filepath.Join(dbDir, fmt.Sprintf(".metadata.json.%d", os.Getpid()))
	if err := os.WriteFile(metaTmp, meta, 0o644); err != nil {
		return 0, err
	}
	return count, os.Rename(metaTmp, filepath.Join(dbDir, "metadata.json"))
}

func loadFile(tx *bolt.Tx, file string) (int, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	var entries []entry
	if err := yaml.Unmarshal(data, &entries); err != nil {
		return 0, fmt.Errorf("%s: not a fixture list (%w)", file, err)
	}
	count := 0
	for i, e := range entries {
		if e.Bucket == nil {
			return 0, fmt.Errorf("%s: top-level entry %d is not a bucket: the top level is a list of {bucket, pairs}", file, i+1)
		}
		b, err := tx.CreateBucketIfNotExists([]byte(*e.Bucket))
		if err != nil {
			return 0, fmt.Errorf("%s: bucket %q: %w", file, *e.Bucket, err)
		}
		n, err := loadPairs(b, e.Pairs, file, *e.Bucket)
		if err != nil {
			return 0, err
		}
		count += n
	}
	return count, nil
}

// loadPairs puts each pair into b; path names the place in errors ("alpine 3.10 / busybox").
func loadPairs(b *bolt.Bucket, pairs []entry, file, path string) (int, error) {
	count := 0
	for _, p := range pairs {
		switch {
		case p.Bucket != nil && p.Key != nil:
			return 0, fmt.Errorf("%s: %s: a pair has both bucket %q and key %q", file, path, *p.Bucket, *p.Key)
		case p.Bucket != nil:
			child, err := b.CreateBucketIfNotExists([]byte(*p.Bucket))
			if err != nil {
				return 0, fmt.Errorf("%s: %s / %s: %w", file, path, *p.Bucket, err)
			}
			n, err := loadPairs(child, p.Pairs, file, path+" / "+*p.Bucket)
			if err != nil {
				return 0, err
			}
			count += n
		case p.Key != nil:
			value, err := json.Marshal(jsonable(p.Value))
			if err != nil {
				return 0, fmt.Errorf("%s: %s / %s: value cannot be stored as JSON: %w", file, path, *p.Key, err)
			}
			// The same key twice with different values is a fixture mistake that would silently keep only one.
			if old := b.Get([]byte(*p.Key)); old != nil && !bytes.Equal(old, value) {
				return 0, fmt.Errorf("%s: %s / %s: key already holds a different value (%s)", file, path, *p.Key, old)
			}
			if err := b.Put([]byte(*p.Key), value); err != nil {
				return 0, fmt.Errorf("%s: %s / %s: %w", file, path, *p.Key, err)
			}
			count++
		default:
			return 0, fmt.Errorf("%s: %s: a pair needs a bucket or a key", file, path)
		}
	}
	return count, nil
}

// jsonable turns YAML maps with non-string keys (e.g. `2: x`) into string-keyed maps encoding/json accepts.
func jsonable(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		out := make(map[string]interface{}, len(t))
		for k, val := range t {
			out[k] = jsonable(val)
		}
		return out
	case map[interface{}]interface{}:
		out := make(map[string]interface{}, len(t))
		for k, val := range t {
			out[strings.TrimSpace(fmt.Sprint(k))] = jsonable(val)
		}
		return out
	case []interface{}:
		out := make([]interface{}, len(t))
		for i, val := range t {
			out[i] = jsonable(val)
		}
		return out
	default:
		return v
	}
}
