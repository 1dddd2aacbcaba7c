// Command interop checks a greenreg transparency log with Go's own implementation of it:
// golang.org/x/mod/sumdb/note (signed notes) and golang.org/x/mod/sumdb/tlog (RFC 6962 / 9162
// hashing, proofs and tiles), as Debian packages them (golang-golang-x-mod-dev, x/mod 0.7.0).
// Nothing here comes from greenreg: if greenreg and Go disagree on a byte, a check fails.
//
// Build offline, in GOPATH mode:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o interop .
//
// Run against a registry (tiles and the REST API) or an export (a directory or a static mirror):
//
//	interop -log http://127.0.0.1:8000 -api http://127.0.0.1:8000 -vkey 'greenreg.log+…' \
//	        -witness 'witness.example/w1+…' -witness …
//	interop -log ./export -vkey 'greenreg.log+…'
//
// The tiles' checkpoint is the one the log serves at /checkpoint: the latest signed one, or, where
// the registry publishes a witness policy (or an export was written under one), the latest one
// its witnesses cosigned, with their cosignature lines; the registry may have signed newer ones
// since. Each -witness must have cosigned the tiles' checkpoint or, if it carries no cosignature
// of that witness, the registry's witnessed checkpoint (GET /api/v1/log/checkpoint?witnessed=true).
//
// It prints what it checked and "PASS", or "FAIL: <why>" on standard error with exit status 1.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// C2SP tlog-tiles fixes the tile height at 8 (256 hashes a tile).
const height = 8

type witnessFlags []string

func (w *witnessFlags) String() string     { return strings.Join(*w, ",") }
func (w *witnessFlags) Set(v string) error { *w = append(*w, v); return nil }

func main() {
	logFlag := flag.String("log", "", "the tiles: a registry or mirror URL, or an export directory")
	apiFlag := flag.String("api", "", "the registry's URL, for its proofs and cosigned checkpoints")
	vkey := flag.String("vkey", "", "the log's note verifier key, name+hash+base64(0x01||key)")
	var witnesses witnessFlags
	flag.Var(&witnesses, "witness", "a witness verifier key, name+hash+base64(0x04||key); all must have cosigned")
	flag.Parse()
	if err := run(*logFlag, *apiFlag, *vkey, witnesses); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("PASS")
}

func run(logSource, api, vkey string, witnesses []string) error {
	if logSource == "" || vkey == "" {
		return errors.New("give -log and -vkey")
	}
	// note.NewVerifier recomputes the key hash of the vkey: greenreg's key hash agrees with Go's.
	logKey, err := note.NewVerifier(vkey)
	if err != nil {
		return fmt.Errorf("log key %q: %v", vkey, err)
	}
	known := []note.Verifier{logKey}
	var cosigners []*cosigner
	for _, k := range witnesses {
		c, err := newCosigner(k)
		if err != nil {
			return err
		}
		cosigners = append(cosigners, c)
		known = append(known, c)
	}
	src := source(logSource)

	// 1. The checkpoint is a signed note the log key signed (note.Open, which also checks every
	// cosignature line of a given witness on it), with the C2SP body.
	raw, err := src.get("checkpoint")
	if err != nil {
		return err
	}
	latest, err := openCheckpoint(raw, note.VerifierList(known...), logKey.Name())
	if err != nil {
		return fmt.Errorf("checkpoint: %v", err)
	}
	fmt.Printf("ok checkpoint: %s, size %d, signed by %s+%08x\n",
		latest.origin, latest.N, logKey.Name(), logKey.KeyHash())
	missing := cosignedBy(latest, cosigners)

	// 2. The tiles and entry bundles hold that tree.
	entries, err := checkTiles(src, latest.Tree)
	if err != nil {
		return err
	}

	// 3. The registry's proofs and cosignatures, if it was given.
	if api == "" {
		if len(missing) > 0 {
			return fmt.Errorf("the checkpoint of size %d carries no cosignature by %s "+
				"(give -api to read the registry's witnessed checkpoint)", latest.N, missing[0].name)
		}
		return nil
	}
	reg := source(api)
	signed, err := checkpoints(reg, logKey, latest)
	if err != nil {
		return err
	}
	upTo, newer := treesUpTo(signed, latest)
	if err := checkCosignatures(reg, known, missing, signed); err != nil {
		return err
	}
	if err := checkOlderTrees(src, upTo); err != nil {
		return err
	}
	if err := checkConsistency(reg, upTo, latest); err != nil {
		return err
	}
	if err := checkNewer(reg, latest, newer); err != nil {
		return err
	}
	return checkInclusion(reg, upTo, latest, entries)
}

// --- checkpoints ---------------------------------------------------------------------------

type checkpoint struct {
	tlog.Tree
	origin string
	note   *note.Note
}

// openCheckpoint verifies msg with note.Open (at least one known key signed it, and every
// signature line of a known key is valid) and reads the C2SP tlog-checkpoint body: origin,
// decimal size, base64 root, each on its own line.
func openCheckpoint(msg []byte, known note.Verifiers, origin string) (checkpoint, error) {
	n, err := note.Open(msg, known)
	if err != nil {
		return checkpoint{}, err
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 {
		return checkpoint{}, fmt.Errorf("the note text %q is not origin, size, root", n.Text)
	}
	if lines[0] != origin {
		return checkpoint{}, fmt.Errorf("origin %q is not the key's name %q", lines[0], origin)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return checkpoint{}, fmt.Errorf("size %q is not a decimal number", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return checkpoint{}, fmt.Errorf("root %q is not a base64 SHA-256 hash", lines[2])
	}
	var hash tlog.Hash
	copy(hash[:], root)
	return checkpoint{tlog.Tree{N: size, Hash: hash}, lines[0], n}, nil
}

// checkpoints lists every checkpoint the registry signed (GET /api/v1/log/checkpoints) and
// opens each note with the log key; the tiles' checkpoint must be among them (the latest, or,
// under a witness policy, the latest the witnesses cosigned).
func checkpoints(reg source, logKey note.Verifier, latest checkpoint) ([]checkpoint, error) {
	var found []checkpoint
	after := int64(0)
	for {
		var page struct {
			Checkpoints []struct {
				TreeSize int64  `json:"tree_size"`
				Note     string `json:"note"`
			} `json:"checkpoints"`
			Next *int64 `json:"next"`
		}
		if err := reg.getJSON(fmt.Sprintf("api/v1/log/checkpoints?after=%d&limit=1000", after), &page); err != nil {
			return nil, err
		}
		for _, c := range page.Checkpoints {
			cp, err := openCheckpoint([]byte(c.Note), note.VerifierList(logKey), logKey.Name())
			if err != nil {
				return nil, fmt.Errorf("checkpoint of size %d: %v", c.TreeSize, err)
			}
			if cp.N != c.TreeSize {
				return nil, fmt.Errorf("the checkpoint listed at size %d says size %d", c.TreeSize, cp.N)
			}
			found = append(found, cp)
		}
		if page.Next == nil {
			break
		}
		after = *page.Next
	}
	upTo, newer := treesUpTo(found, latest)
	if len(upTo) == 0 || upTo[len(upTo)-1].Tree != latest.Tree {
		return nil, fmt.Errorf("the tiles' checkpoint (size %d) is not one the registry signed", latest.N)
	}
	fmt.Printf("ok %d signed checkpoints listed, each opened with the log key; "+
		"%d newer than the tiles' checkpoint\n", len(found), len(newer))
	return found, nil
}

// treesUpTo splits the signed checkpoints (smallest first) into those up to the tiles' tree
// size and those after it.
func treesUpTo(signed []checkpoint, latest checkpoint) ([]checkpoint, []checkpoint) {
	i := 0
	for i < len(signed) && signed[i].N <= latest.N {
		i++
	}
	return signed[:i], signed[i:]
}

// checkNewer: checkpoints the registry signed after the tiles' one (not yet witnessed) extend
// it: tlog.CheckTree accepts the consistency proof to the newest.
func checkNewer(reg source, latest checkpoint, newer []checkpoint) error {
	if len(newer) == 0 {
		return nil
	}
	newest := newer[len(newer)-1]
	var answer struct {
		Consistency struct {
			Hashes []string `json:"hashes"`
		} `json:"consistency"`
	}
	path := fmt.Sprintf("api/v1/log/consistency?first=%d&second=%d", latest.N, newest.N)
	if err := reg.getJSON(path, &answer); err != nil {
		return err
	}
	proof, err := hashes(answer.Consistency.Hashes)
	if err != nil {
		return err
	}
	if err := tlog.CheckTree(proof, newest.N, newest.Hash, latest.N, latest.Hash); err != nil {
		return fmt.Errorf("consistency proof from the tiles' size %d to the newest %d: %v", latest.N, newest.N, err)
	}
	fmt.Printf("ok the %d newer signed checkpoints extend it (tlog.CheckTree to size %d)\n", len(newer), newest.N)
	return nil
}

// --- tiles (C2SP tlog-tiles) ---------------------------------------------------------------

// tilePath is a tile's C2SP tlog-tiles path. Go's sumdb layout is the same but for two
// spellings: it writes the height ("tile/8/0/x001/234") and calls entry bundles "data".
func tilePath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", t.H))
	if t.L == -1 {
		p = "entries" + strings.TrimPrefix(p, "data")
	}
	return "tile/" + p
}

// treeTiles are the tiles a tree of size n has: tlog.NewTiles(8, 0, n) lists each partial tile
// at every width up to the tree's; a tree has only the widest.
func treeTiles(n int64) []tlog.Tile {
	var tiles []tlog.Tile
	for _, t := range tlog.NewTiles(height, 0, n) {
		if k := len(tiles) - 1; k >= 0 && tiles[k].L == t.L && tiles[k].N == t.N {
			tiles[k] = t
		} else {
			tiles = append(tiles, t)
		}
	}
	return tiles
}

// tileReader gives tlog.TileHashReader the hash tiles, by C2SP path.
type tileReader struct{ src source }

func (r tileReader) Height() int { return height }

func (r tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, t := range tiles {
		d, err := r.src.get(tilePath(t))
		if err != nil {
			return nil, err
		}
		if len(d) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("%s: %d bytes, not %d hashes", tilePath(t), len(d), t.W)
		}
		data[i] = d
	}
	return data, nil
}

func (r tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

// checkTiles checks the tiles and entry bundles of tree and returns its entries.
func checkTiles(src source, tree tlog.Tree) ([][]byte, error) {
	// (a) tlog.TileHashReader authenticates every tile it reads against the signed root: the
	// leaf hashes it gives are proven to be the tree's.
	authenticated := tlog.TileHashReader(tree, tileReader{src})
	indexes := make([]int64, tree.N)
	for i := range indexes {
		indexes[i] = tlog.StoredHashIndex(0, int64(i))
	}
	leaves, err := authenticated.ReadHashes(indexes)
	if err != nil {
		return nil, fmt.Errorf("tiles against the signed root: %v", err)
	}

	// (b) Each entry bundle holds its tile's entries, each a 2-byte big-endian length and the
	// leaf data; tlog.RecordHash (SHA-256(0x00 || entry)) of each is the leaf hash.
	var entries [][]byte
	bundles := 0
	for _, t := range treeTiles(tree.N) {
		if t.L != 0 {
			continue
		}
		bundle := t
		bundle.L = -1
		data, err := src.get(tilePath(bundle))
		if err != nil {
			return nil, err
		}
		found, err := splitBundle(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", tilePath(bundle), err)
		}
		if len(found) != t.W {
			return nil, fmt.Errorf("%s: %d entries, not %d", tilePath(bundle), len(found), t.W)
		}
		for i, e := range found {
			if tlog.RecordHash(e) != leaves[len(entries)+i] {
				return nil, fmt.Errorf("%s: entry %d does not hash to its leaf", tilePath(bundle), i)
			}
		}
		entries = append(entries, found...)
		bundles++
	}

	// (c) The tree rebuilt by tlog from the entries alone has the signed root, and each tile is,
	// byte for byte, tlog.ReadTileData of that tree.
	var stored []tlog.Hash
	rebuilt := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		hashes := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			hashes[i] = stored[x]
		}
		return hashes, nil
	})
	for i, e := range entries {
		hashes, err := tlog.StoredHashes(int64(i), e, rebuilt)
		if err != nil {
			return nil, err
		}
		stored = append(stored, hashes...)
	}
	root, err := tlog.TreeHash(tree.N, rebuilt)
	if err != nil || root != tree.Hash {
		return nil, fmt.Errorf("the entries do not hash to the signed root (%v)", err)
	}
	tiles := treeTiles(tree.N)
	for _, t := range tiles {
		want, err := tlog.ReadTileData(t, rebuilt)
		if err != nil {
			return nil, err
		}
		got, err := src.get(tilePath(t))
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(got, want) {
			return nil, fmt.Errorf("%s is not the tile tlog builds from the entries", tilePath(t))
		}
	}
	fmt.Printf("ok %d tiles and %d entry bundles: %d entries, rebuilt root = signed root\n",
		len(tiles), bundles, len(entries))
	return entries, nil
}

func splitBundle(data []byte) ([][]byte, error) {
	var entries [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			return nil, errors.New("the bundle ends inside a length")
		}
		n := int(binary.BigEndian.Uint16(data))
		if len(data) < 2+n {
			return nil, errors.New("the bundle ends inside an entry")
		}
		entries = append(entries, data[2:2+n])
		data = data[2+n:]
	}
	return entries, nil
}

// checkOlderTrees: the tiles an older checkpoint's tree has (narrower partial tiles, which the
// registry keeps serving) rebuild that checkpoint's root, as a client of that size reads them.
func checkOlderTrees(src source, signed []checkpoint) error {
	for _, c := range signed[:len(signed)-1] {
		if _, err := tlog.TreeHash(c.N, tlog.TileHashReader(c.Tree, tileReader{src})); err != nil {
			return fmt.Errorf("tiles of the tree of size %d: %v", c.N, err)
		}
	}
	fmt.Printf("ok the tiles of %d older trees rebuild their signed roots\n", len(signed)-1)
	return nil
}

// --- proofs (RFC 6962 / 9162) --------------------------------------------------------------

func hashes(hexes []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(hexes))
	for i, h := range hexes {
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != tlog.HashSize {
			return nil, fmt.Errorf("proof hash %q is not hex SHA-256", h)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// checkConsistency: for every older signed checkpoint, tlog.CheckTree accepts the registry's
// consistency proof that it is a prefix of the latest tree (both roots from signed notes).
func checkConsistency(reg source, signed []checkpoint, latest checkpoint) error {
	count := 0
	for _, old := range signed {
		if old.N == 0 || old.N == latest.N {
			continue
		}
		var answer struct {
			Consistency struct {
				Hashes []string `json:"hashes"`
			} `json:"consistency"`
		}
		path := fmt.Sprintf("api/v1/log/consistency?first=%d&second=%d", old.N, latest.N)
		if err := reg.getJSON(path, &answer); err != nil {
			return err
		}
		proof, err := hashes(answer.Consistency.Hashes)
		if err != nil {
			return err
		}
		if err := tlog.CheckTree(proof, latest.N, latest.Hash, old.N, old.Hash); err != nil {
			return fmt.Errorf("consistency proof from size %d to %d: %v", old.N, latest.N, err)
		}
		count++
	}
	fmt.Printf("ok %d consistency proofs (tlog.CheckTree)\n", count)
	return nil
}

// checkInclusion: every entry (from the bundles) is in the latest tree and in the first signed
// tree that holds it, by tlog.CheckRecord over the registry's inclusion proofs.
func checkInclusion(reg source, signed []checkpoint, latest checkpoint, entries [][]byte) error {
	count, first := 0, 0
	for i, entry := range entries {
		leaf := tlog.RecordHash(entry)
		for signed[first].N <= int64(i) {
			first++
		}
		for _, tree := range []checkpoint{signed[first], latest} {
			var answer struct {
				Inclusion struct {
					LeafHash string   `json:"leaf_hash"`
					Hashes   []string `json:"hashes"`
				} `json:"inclusion"`
			}
			path := fmt.Sprintf("api/v1/log/inclusion?position=%d&size=%d", i, tree.N)
			if err := reg.getJSON(path, &answer); err != nil {
				return err
			}
			if answer.Inclusion.LeafHash != hex.EncodeToString(leaf[:]) {
				return fmt.Errorf("leaf %d: the registry's leaf hash is not tlog.RecordHash of the entry", i)
			}
			proof, err := hashes(answer.Inclusion.Hashes)
			if err != nil {
				return err
			}
			if err := tlog.CheckRecord(proof, tree.N, tree.Hash, int64(i), leaf); err != nil {
				return fmt.Errorf("inclusion proof of leaf %d in the tree of size %d: %v", i, tree.N, err)
			}
			count++
			if tree.N == latest.N {
				break
			}
		}
	}
	fmt.Printf("ok %d inclusion proofs (tlog.CheckRecord)\n", count)
	return nil
}

// --- witness cosignatures (C2SP tlog-cosignature, cosignature/v1) --------------------------

// cosigner is a note.Verifier for an Ed25519 cosignature/v1 key (signature type 0x04): the
// signature is an 8-byte big-endian timestamp, then Ed25519 over
// "cosignature/v1\ntime <timestamp>\n" followed by the note text. x/mod 0.7.0 knows only type
// 0x01, so this part is crypto/ed25519 directly; note.Open still does the framing.
type cosigner struct {
	name string
	hash uint32
	key  ed25519.PublicKey
	time uint64 // of the last valid cosignature seen
}

func newCosigner(vkey string) (*cosigner, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 || len(parts[1]) != 8 {
		return nil, fmt.Errorf("witness key %q is not name+hash+key", vkey)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != 0x04 {
		return nil, fmt.Errorf("witness key %q is not an Ed25519 cosignature/v1 key", vkey)
	}
	// C2SP signed-note key ID: SHA-256(name || "\n" || 0x04 || public key)[:4].
	id := sha256.Sum256(append([]byte(parts[0]+"\n"), raw...))
	if hex.EncodeToString(id[:4]) != strings.ToLower(parts[1]) {
		return nil, fmt.Errorf("witness key %q: its key id is not SHA-256(name, 0x04, key)", vkey)
	}
	return &cosigner{name: parts[0], hash: binary.BigEndian.Uint32(id[:4]), key: raw[1:]}, nil
}

func (c *cosigner) Name() string    { return c.name }
func (c *cosigner) KeyHash() uint32 { return c.hash }

func (c *cosigner) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	if t == 0 || t > 1<<63-1 {
		return false
	}
	signed := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", t)), msg...)
	if !ed25519.Verify(c.key, signed, sig[8:]) {
		return false
	}
	c.time = t
	return true
}

// cosignedBy reports each witness with a valid cosignature on cp (note.Open has verified every
// line of a known key) and returns those without one.
func cosignedBy(cp checkpoint, cosigners []*cosigner) []*cosigner {
	var missing []*cosigner
	for _, c := range cosigners {
		found := false
		for _, s := range cp.note.Sigs {
			found = found || (s.Name == c.name && s.Hash == c.hash)
		}
		if !found {
			missing = append(missing, c)
			continue
		}
		fmt.Printf("ok size %d cosigned by %s at %s\n", cp.N, c.name,
			time.Unix(int64(c.time), 0).UTC().Format(time.RFC3339))
	}
	return missing
}

// checkCosignatures: for the witnesses the tiles' checkpoint carries no cosignature of, the
// registry's witnessed checkpoint (GET /api/v1/log/checkpoint?witnessed=true&format=note) opens
// with the log key and every given witness key, so each witness line is a valid cosignature/v1
// (note.Open rejects a note whose known key's signature fails), and its tree is one the
// registry signed.
func checkCosignatures(reg source, known []note.Verifier, missing []*cosigner, signed []checkpoint) error {
	if len(missing) == 0 {
		return nil
	}
	msg, err := reg.get("api/v1/log/checkpoint?witnessed=true&format=note")
	if err != nil {
		return err
	}
	cp, err := openCheckpoint(msg, note.VerifierList(known...), known[0].Name())
	if err != nil {
		return fmt.Errorf("witnessed checkpoint: %v", err)
	}
	if still := cosignedBy(cp, missing); len(still) > 0 {
		return fmt.Errorf("witnessed checkpoint of size %d: no cosignature by %s", cp.N, still[0].name)
	}
	for _, s := range signed {
		if s.Tree == cp.Tree {
			fmt.Printf("ok the witnessed checkpoint (size %d) is a signed checkpoint of the log\n", cp.N)
			return nil
		}
	}
	return fmt.Errorf("the witnessed checkpoint of size %d is not one the log signed", cp.N)
}

// --- reading a registry, a mirror or a directory -------------------------------------------

type source string

var client = &http.Client{Timeout: 30 * time.Second}

func (s source) get(path string) ([]byte, error) {
	base := string(s)
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return os.ReadFile(filepath.Join(base, filepath.FromSlash(path)))
	}
	url := strings.TrimSuffix(base, "/") + "/" + path
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return body, nil
}

func (s source) getJSON(path string, v any) error {
	body, err := s.get(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}
