package cli

import (
	"errors"
	"strconv"
	"time"
)

// "show servers state" dumps in the format "load-server-state-from-file"
// reads back (version 1), "show servers conn" the connection pools, "show
// backend" the backend names; as HAProxy 2.6 formats them in src/proxy.c.

const serversStateHeader = "1\n" +
	"# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight " +
	"srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state " +
	"srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl " +
	"srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n"

// flushAbove is the answer size beyond which a long dump is sent before
// it is complete, bounding the memory of a session.
const flushAbove = 64 << 10

func runShowBackend(s *Session, _ []string, _ []byte) error {
	s.WriteString("# name\n")
	for _, be := range s.srv.admin.AppendBackends(nil) {
		s.WriteString(be.Name)
		s.WriteString("\n")
	}
	return nil
}

// runShowServers implements "show servers state [<backend>]" and "show
// servers conn [<backend>]".
func runShowServers(s *Session, args []string, _ []byte) error {
	a := s.srv.admin
	conn := args[2] == "conn"
	var backends []BackendState
	if name := arg(args, 3); name != "" {
		be, err := a.Backend(backendRef(name))
		if err != nil {
			if errors.Is(err, ErrNoBackend) {
				s.WriteString("Can't find backend.\n")
			} else {
				s.WriteString(err.Error() + "\n")
			}
			return nil
		}
		backends = append(backends, be)
	} else {
		backends = a.AppendBackends(nil)
	}

	nbthread := 0
	if conn {
		nbthread = int(s.srv.src.Info().Nbthread)
		s.WriteString("# bkname/svname bkid/svid addr port - purge_delay used_cur used_max need_est unsafe_nb safe_nb idle_lim idle_cur idle_per_thr[")
		s.WriteString(strconv.Itoa(nbthread))
		s.WriteString("]\n")
	} else {
		s.WriteString(serversStateHeader)
	}

	var servers []ServerState
	var line []byte
	for _, be := range backends {
		var err error
		servers, err = a.AppendServers(servers[:0], Ref{Name: be.Name})
		if err != nil {
			continue // removed meanwhile
		}
		for i := range servers {
			if conn {
				line = appendServerConn(line[:0], &servers[i], nbthread)
			} else {
				line = appendServerState(line[:0], &servers[i])
			}
			s.Write(line)
			if s.out.Len() > flushAbove {
				if err := s.Flush(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// appendServerState appends the "show servers state" line of st.
func appendServerState(b []byte, st *ServerState) []byte {
	b = strconv.AppendInt(b, int64(st.Backend.ID), 10)
	b = append(b, ' ')
	b = append(b, st.Backend.Name...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(st.ID), 10)
	b = append(b, ' ')
	b = append(b, st.Name...)
	b = append(b, ' ')
	b = append(b, formatIP(st.Addr)...)
	for _, v := range [...]int64{
		int64(st.OpState), int64(st.AdminState), int64(st.Uweight), int64(st.Iweight),
		int64(st.SinceChange / time.Second),
		int64(checkStatusCodes[st.Check.Status]), int64(st.Check.Result), int64(st.Check.Health),
		int64(st.Check.stateBits()), int64(agentBits(&st.Agent)),
		boolInt(st.Backend.ForcedID), boolInt(st.ForcedID),
	} {
		b = append(b, ' ')
		b = strconv.AppendInt(b, v, 10)
	}
	b = append(b, ' ')
	b = append(b, dash(st.FQDN)...)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(st.Port), 10)
	b = append(b, " - "...) // srvrecord: no SRV records in hitless
	b = strconv.AppendInt(b, boolInt(st.UseSSL), 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(st.Check.Port), 10)
	b = append(b, ' ')
	b = append(b, formatIP(st.Check.Addr)...)
	b = append(b, ' ')
	b = append(b, formatIP(st.Agent.Addr)...)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(st.Agent.Port), 10)
	return append(b, '\n')
}

// agentBits returns the agent's state as HAProxy prints it: the check
// bits plus CHK_ST_AGENT when an agent is configured.
func agentBits(c *CheckState) int {
	b := c.stateBits()
	if c.Configured {
		b |= chkAgent
	}
	return b
}

// appendServerConn appends the "show servers conn" line of st, with at
// most nbthread per-thread columns.
func appendServerConn(b []byte, st *ServerState, nbthread int) []byte {
	c := &st.Conns
	b = append(b, st.Backend.Name...)
	b = append(b, '/')
	b = append(b, st.Name...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(st.Backend.ID), 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(st.ID), 10)
	b = append(b, ' ')
	b = append(b, formatIP(st.Addr)...)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(st.Port), 10)
	b = append(b, " -"...)
	for _, v := range [...]uint32{c.PurgeDelay, c.UsedCur, c.UsedMax, c.NeedEst, c.UnsafeIdle, c.SafeIdle} {
		b = append(b, ' ')
		b = strconv.AppendUint(b, uint64(v), 10)
	}
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(c.IdleLimit), 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, uint64(c.IdleCur), 10)
	for i, v := range c.IdlePerThread {
		if i >= nbthread {
			break
		}
		b = append(b, ' ')
		b = strconv.AppendUint(b, uint64(v), 10)
	}
	return append(b, '\n')
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
