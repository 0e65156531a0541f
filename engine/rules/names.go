package rules

import "strings"

// HAProxy 2.6 keywords hitless does not implement, so that using one is
// reported as "not implemented yet" rather than as unknown.

// knownFetches are HAProxy sample fetches (exact names); fetch names
// starting with one of knownFetchPrefixes are HAProxy's too.
var knownFetches = setOf(`act_conn avg_queue be_conn be_conn_free be_id be_name
be_server_timeout be_tunnel_timeout bin connslots cpu_calls cpu_ns_avg cpu_ns_tot
date date_us env fe_conn fe_id fe_name fe_client_timeout fe_defbe ipv4 ipv6
last_rule_file last_rule_line lat_ns_avg lat_ns_tot meth nbproc nbsrv prio_class
prio_offset proc queue quic_enabled rand srv_conn srv_conn_free srv_is_up srv_queue
srv_sess_rate srv_iweight srv_uweight srv_weight srv_id srv_name stopping thread uuid
accept_date bc_dst bc_dst_port bc_err bc_err_str bc_http_major bc_src bc_src_port
bc_rtt bc_rttvar dst_conn dst_is_local fc_dst fc_dst_is_local fc_dst_port fc_err
fc_err_str fc_fackets fc_http_major fc_lost fc_pp_authority fc_pp_unique_id
fc_rcvd_proxy fc_reordering fc_retrans fc_rtt fc_rttvar fc_sacked fc_src
fc_src_is_local fc_src_port fc_unacked so_id so_name payload payload_lv req.len
req_len req.payload req.payload_lv req.rdp_cookie req.rdp_cookie_cnt rdp_cookie
rdp_cookie_cnt req.ssl_alpn req.ssl_ec_ext req.ssl_hello_type req.ssl_sni
req.ssl_st_ext req.ssl_ver req_ssl_sni req_ssl_ver res.len res.payload
res.payload_lv res.ssl_hello_type wait_end base32 base32+src baseq capture.req.hdr
capture.req.method capture.req.uri capture.req.ver capture.res.hdr capture.res.ver
cook cook_cnt cook_val cookie hdr_ip http_auth http_auth_bearer http_auth_group
http_auth_pass http_auth_type http_auth_user http_first_req pathq req.body
req.body_len req.body_param req.body_size req.cook req.cook_cnt req.cook_val
req.cook_names req.hdr_ip req.hdr_names req.hdrs req.hdrs_bin req.timer.hdr
req.timer.idle req.timer.queue req.timer.tq res.body res.body_len res.body_size
res.cache_hit res.cache_name res.comp res.comp_algo res.cook res.cook_cnt
res.cook_val res.cook_names res.hdr_ip res.hdr_names res.hdrs res.hdrs_bin res.ver
resp_ver res.timer.hdr scook scook_cnt scook_val set-cookie shdr_ip txn.status
txn.timer.total unique-id url_ip url_port urlp_val url32 url32+src hdrs
src_is_local acl`)

var knownFetchPrefixes = []string{"sc_", "sc0_", "sc1_", "sc2_", "src_", "ssl_", "table_", "req.ssl_", "res.ssl_"}

func isKnownFetch(name string) bool {
	if knownFetches[name] {
		return true
	}
	for _, p := range knownFetchPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// knownConverters are HAProxy 2.6 converters.
var knownConverters = setOf(`51d.single add aes_gcm_dec and b64dec base64 be2dec be2hex
bool bytes concat cpl crc32 crc32c cut_crlf da-csv-conv debug digest div djb2 even
field fix_is_valid fix_tag_value hex hex2i hmac host_only htonl http_date iif
in_table ipmask json json_query language length lower ltime ltrim map map_beg
map_dir map_dom map_end map_int map_ip map_len map_reg map_regm map_str map_sub
map_beg_int map_dir_int map_dom_int map_end_int map_int_int map_ip_int map_len_int
map_reg_int map_str_int map_sub_int map_beg_ip map_dir_ip map_dom_ip map_end_ip
map_int_ip map_ip_ip map_len_ip map_reg_ip map_str_ip map_sub_ip mod
mqtt_field_value mqtt_is_valid mul nbsrv neg not odd or port_only protobuf regsub
rtrim sdbm secure_memcmp set-var sha1 sha2 srv_queue strcmp sub ub64dec ub64enc
ungrpc unset-var upper url_dec url_enc utime word wt6 xor x509_v_err_str xxh3 xxh32
xxh64 table_bytes_in_rate table_bytes_out_rate table_conn_cnt table_conn_cur
table_conn_rate table_expire table_gpc0 table_gpc0_rate table_gpc1 table_gpc1_rate
table_gpt0 table_http_err_cnt table_http_err_rate table_http_req_cnt
table_http_req_rate table_idle table_kbytes_in table_kbytes_out table_server_id
table_sess_cnt table_sess_rate table_trackers`)

// logFormatVars are HAProxy 2.6's log-format variables ("%ci").
var logFormatVars = setOf(`o B CC CS H HM HP HPO HQ HU HV ID ST T Ta Tc Td Th Ti Tl Tq
TR Tr Ts Tt Tu Tw U ac b bc bi bp bq ci cp f fc fi fp ft hr hrl hs hsl lc ms pid r rc
rt s sc si sp sq sslc sslv t tr trg trl ts tsc`)

// The action keywords HAProxy 2.6 lists when it does not know one; "(*)"
// ends a keyword that takes its argument in the same word.
const (
	httpRequestActions = `'wait-for-handshake', 'ot-group', 'set-log-level', 'set-nice', 'use-service', ` +
		`'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', ` +
		`'send-spoe-group', 'do-resolve(*)', 'cache-use', 'add-acl(*)', 'add-header', 'allow', 'auth', ` +
		`'capture', 'del-acl(*)', 'del-header', 'del-map(*)', 'deny', 'disable-l7-retry', 'early-hint', ` +
		`'normalize-uri', 'redirect', 'reject', 'replace-header', 'replace-path', 'replace-pathq', ` +
		`'replace-uri', 'replace-value', 'return', 'set-header', 'set-map(*)', 'set-method', 'set-path', ` +
		`'set-pathq', 'set-query', 'set-uri', 'strict-mode', 'tarpit', 'track-sc(*)', 'set-timeout', ` +
		`'wait-for-body', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-dst', 'set-dst-port', ` +
		`'set-mark', 'set-src', 'set-src-port', 'set-tos', 'silent-drop', 'set-priority-class', ` +
		`'set-priority-offset'`
	httpResponseActions = `'ot-group', 'set-log-level', 'set-nice', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', ` +
		`'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'cache-store', ` +
		`'add-acl(*)', 'add-header', 'allow', 'capture', 'del-acl(*)', 'del-header', 'del-map(*)', ` +
		`'deny', 'redirect', 'replace-header', 'replace-value', 'return', 'set-header', 'set-map(*)', ` +
		`'set-status', 'strict-mode', 'track-sc(*)', 'wait-for-body', 'set-var-fmt(*)', 'set-var(*)', ` +
		`'unset-var(*)', 'set-mark', 'set-tos', 'silent-drop'`
)

// knownAction reports whether act is one of the keywords of list (or a
// Lua action), matching "(*)" keywords by prefix.
func knownAction(list, act string) bool {
	if strings.HasPrefix(act, "lua.") {
		return true
	}
	for _, k := range strings.Split(list, ", ") {
		k = strings.Trim(k, "'")
		if p, ok := strings.CutSuffix(k, "(*)"); ok {
			if strings.HasPrefix(act, p) {
				return true
			}
		} else if k == act {
			return true
		}
	}
	return false
}

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
