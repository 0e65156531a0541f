package lb

import (
	"fmt"
	"testing"
)

// TestHAProxyGolden replays requests whose servers were recorded from
// haproxy 2.6.12 itself (one process, nbthread 1, every server up and idle;
// each listen section had the servers, weights, ids and balance/hash-type
// lines below). It pins the hash functions, the avalanche modifier, the
// key extraction, the map-based interleave with its gcd, the consistent
// ring's points and nearest-point rule, source hashing and static-rr.
func TestHAProxyGolden(t *testing.T) {
	uris := []string{"/", "/a", "/a/b", "/a/b/c", "/img/1.png?x=1", "/a/b/c?q=1&r=2", "/x?y"}
	for i := range 150 {
		uris = append(uris, fmt.Sprintf("/k%d", i))
	}
	for i := range 60 {
		uris = append(uris, fmt.Sprintf("/d%d/e%d/f?z=%d", i%7, i, i))
	}
	abs := []string{"http://example.com/a/b?c", "http://h/", "http://h", "/k1", "https://x.y:8443/p/q", "/p/q"}
	for i := range 60 {
		abs = append(abs, fmt.Sprintf("http://h%d.com/k%d", i, i))
	}
	var params []string
	for i := range 120 {
		params = append(params, fmt.Sprintf("/p?id=%d", i))
	}
	for i := range 40 {
		params = append(params, fmt.Sprintf("/p?a=1&id=v%d&b=2", i))
	}
	params = append(params, "/p?id=", "/p?ID=3&id=x")
	var hdrs []string
	for i := range 150 {
		hdrs = append(hdrs, fmt.Sprintf("v%d", i))
	}
	hdrs = append(hdrs, "a, b", " spaced ", "x,y,z")
	var hosts []string
	for i := range 80 {
		hosts = append(hosts, fmt.Sprintf("www.site%d.com", i))
	}
	for i := range 40 {
		hosts = append(hosts, fmt.Sprintf("a.b%d.example.org:8080", i))
	}
	hosts = append(hosts, "localhost", "one.two", "x")
	var srcs []string
	for i := range 120 {
		srcs = append(srcs, fmt.Sprintf("127.0.%d.%d", i/200, 1+i%200))
	}

	tests := []struct {
		name   string
		o      Options
		weight []int
		keys   []string
		want   string // server index per key
	}{
		{"uri_map_sdbm", Options{Algo: "uri", HashType: "map-based", HashFunction: "sdbm"}, []int{1, 2, 3, 1}, uris,
			"2231212122301212221223012122230121223301212230112122301211223012122230121223001212230122122301212223012122312230121222301212230012122301221223012122230121223212221221201321201132120133212013221201322220132220013222001"},
		{"uri_ch_sdbm", Options{Algo: "uri", HashType: "consistent", HashFunction: "sdbm"}, []int{1, 2, 3, 1}, uris,
			"2232022222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222220230211232212232122212220120001220110223320200222221120213"},
		{"uri_ch_djb2_av", Options{Algo: "uri", HashType: "consistent", HashFunction: "djb2", Avalanche: true, IDs: []int{7, 3, 12, 5}}, []int{2, 4, 6, 2}, uris,
			"1312222322211122110222222221212122212022023222130021122220320212131120302332321123232113220310121122232021222123212211032221031000022101232111202212212211321023202332322222020212332322213131301122121112320112102320201"},
		{"uri_map_wt6_opts", Options{Algo: "uri", Args: []string{"whole", "len", "12", "depth", "2"}, HashFunction: "wt6"}, []int{1, 1, 1, 1}, uris,
			"1300002131313131311112222221111222222111122222211112222221111222222111122222211112222221111222222111122222211111111111111111111000000000003333333333333333333312301331212300111233200122130112202011220221122133012223311"},
		{"uri_ch_pathonly", Options{Algo: "uri", Args: []string{"path-only"}, HashType: "consistent", HashFunction: "sdbm"}, []int{1, 1, 1, 1}, abs,
			"333322333333333333333333333333333333333333333333333333333333333333"},
		{"param_ch_crc32", Options{Algo: "url_param", Args: []string{"id"}, HashType: "consistent", HashFunction: "crc32"}, []int{1, 1, 2, 1}, params,
			"303230033321102200103302330203221322233202120221221130202003013223302131121103320332221013301121133322032203202210202022031112313320210022100233022330132223123233"},
		{"hdr_map_sdbm_av", Options{Algo: "hdr(X-Key)", Avalanche: true}, []int{2, 4, 6, 2}, hdrs,
			"123113121210212322223222222001032212303220122212223023201302111201012203220303113032312121012111202121311113223033201222122212311022120021222220230223111"},
		{"hdr_dom_ch", Options{Algo: "hdr(Host)", Args: []string{"use_domain_only"}, HashType: "consistent", HashFunction: "sdbm"}, []int{1, 1, 1, 1}, hosts,
			"222222222211111111111111111111111111111111111111111111111111111111111111111111110000000000000000000000000000000000000000203"},
		{"src_map", Options{Algo: "source"}, []int{1, 1, 1, 1}, srcs,
			"123012301230123012301230123012301230123012301230123012301230123012301230123012301230123012301230123012301230123012301230"},
		// A bare "hash-type consistent": HAProxy then implies avalanche.
		{"src_ch", Options{Algo: "source", HashType: "consistent"}, []int{1, 2, 1, 1}, srcs,
			"131010200113321003000310000300110231011313210122200110300103203231013011202022213121211023112210121031023203332021111230"},
		{"src_map_av", Options{Algo: "source", Avalanche: true}, []int{1, 1, 1, 1}, srcs,
			"332332323132300003031233200213133322113100030303303122131321203300032303300332232231211310203030000322132311020332303122"},
		{"static_rr", Options{Algo: "static-rr"}, []int{3, 1, 2, 1}, nil,
			"010202301020230102023"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.N = len(tt.weight)
			a, err := New(tt.o)
			if err != nil {
				t.Fatal(err)
			}
			k := mustKeyer(t, tt.o)
			s := &fakeServers{weight: tt.weight}
			n := len(tt.want)
			if tt.keys != nil && len(tt.keys) != n {
				t.Fatalf("%d keys for %d answers", len(tt.keys), n)
			}
			got := make([]byte, n)
			for i := range n {
				var key Key
				switch k.Input {
				case KeyURI:
					key = k.URI([]byte(tt.keys[i]))
				case KeyURLParam:
					key = k.URLParam([]byte(tt.keys[i]))
				case KeyHeader:
					key = k.Header([]byte(tt.keys[i]))
				case KeySource:
					var a, b, c, d byte
					fmt.Sscanf(tt.keys[i], "%d.%d.%d.%d", &a, &b, &c, &d)
					key = k.Source([]byte{a, b, c, d})
				}
				got[i] = byte('0' + a.Pick(s, key))
			}
			for i := range n {
				if got[i] != tt.want[i] {
					key := ""
					if tt.keys != nil {
						key = tt.keys[i]
					}
					t.Fatalf("request %d (%q): server %c, haproxy chose %c\ngot  %s\nwant %s", i, key, got[i], tt.want[i], got, tt.want)
				}
			}
		})
	}
}

// TestHAProxyGoldenStates is TestHAProxyGolden for servers that start
// disabled (weight 0 here, configured weight in Options.Weights: the map's
// gcd still counts them) and for requests without a key (the round robin
// fallbacks over the map and along the ring).
func TestHAProxyGoldenStates(t *testing.T) {
	tests := []struct {
		name    string
		o       Options
		weight  []int // current weights: 0 for the disabled server
		targets func(i int) (target, header string)
		want    string
	}{
		{"hdr_map_disabled", Options{Algo: "hdr(X-Key)", HashFunction: "sdbm", Weights: []int{2, 4, 3, 6}}, []int{2, 4, 0, 6}, func(i int) (string, string) { return "/", fmt.Sprintf("v%d", i) },
			"1303131303313130313113130313133130313130130313130330313130310313130313313130313113130313133130313130"},
		{"static_rr_disabled", Options{Algo: "static-rr", Weights: []int{2, 4, 3, 6}}, []int{2, 4, 0, 6}, nil,
			"031313031313031313031313"},
		{"param_map_missing", Options{Algo: "url_param", Args: []string{"id"}, Weights: []int{3, 1, 2, 1}}, []int{3, 1, 2, 1}, func(int) (string, string) { return "/p", "" },
			"01020230102023"},
		{"param_ch_missing", Options{Algo: "url_param", Args: []string{"id"}, HashType: "consistent"}, []int{1, 1, 1, 1}, func(int) (string, string) { return "/p?x=1", "" },
			"2332313020301200011202212013220310231321"},
		{"uri_ch_disabled", Options{Algo: "uri", HashType: "consistent"}, []int{1, 2, 0, 1}, func(i int) (string, string) { return fmt.Sprintf("/k%d", i), "" },
			"013101101131311311110111103111111331110110310030310301310101101100100011013311100133011033010111003113333100030001111130330100030311011100103011100031"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.N = len(tt.weight)
			a, err := New(tt.o)
			if err != nil {
				t.Fatal(err)
			}
			k := mustKeyer(t, tt.o)
			s := &fakeServers{weight: tt.weight}
			got := make([]byte, len(tt.want))
			for i := range got {
				var key Key
				if tt.targets != nil {
					target, header := tt.targets(i)
					switch k.Input {
					case KeyURI:
						key = k.URI([]byte(target))
					case KeyURLParam:
						key = k.URLParam([]byte(target))
					case KeyHeader:
						key = k.Header([]byte(header))
					}
				}
				got[i] = byte('0' + a.Pick(s, key))
			}
			if string(got) != tt.want {
				t.Fatalf("servers\ngot  %s\nwant %s (haproxy)", got, tt.want)
			}
		})
	}
}
