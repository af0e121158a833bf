#include "probes/listeners.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>

namespace nscheck::probes {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using asio::ip::tcp;
using asio::ip::udp;

/// Datagrams answered per wake-up of one responder before the others get a turn.
constexpr int k_datagrams_per_turn = 256;

template <typename Endpoint>
std::optional<flow::Endpoint> endpoint_of(const Endpoint& e) {
  sockaddr_storage ss{};
  std::memcpy(&ss, e.data(), std::min<std::size_t>(e.size(), sizeof ss));
  return flow::from_sockaddr(ss);
}

/// Where a datagram was sent to, from its IP_PKTINFO / IPV6_PKTINFO control message.
struct Arrival {
  IpAddress address;
  int ifindex = 0;
};

std::optional<Arrival> arrival_of(const msghdr& m) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(const_cast<msghdr*>(&m), c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      Arrival a{IpAddress{}, info.ipi_ifindex};
      a.address.family = Family::v4;
      std::memcpy(a.address.bytes.data(), &info.ipi_addr, 4);
      return a;
    }
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(c), sizeof info);
      Arrival a{IpAddress{}, static_cast<int>(info.ipi6_ifindex)};
      a.address.family = Family::v6;
      std::memcpy(a.address.bytes.data(), &info.ipi6_addr, 16);
      return a;
    }
  }
  return std::nullopt;
}

/// The control message that makes the echo leave from the address the datagram came to.
std::size_t put_source(std::span<std::uint8_t> room, msghdr& m, const Arrival& a) {
  m.msg_control = room.data();
  m.msg_controllen = room.size();
  cmsghdr* c = CMSG_FIRSTHDR(&m);
  if (a.address.family == Family::v6) {
    in6_pktinfo info{};
    std::memcpy(&info.ipi6_addr, a.address.bytes.data(), 16);
    info.ipi6_ifindex = static_cast<unsigned>(a.ifindex);  // the scope of a link-local source
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof info);
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
    return m.msg_controllen = CMSG_SPACE(sizeof info);
  }
  in_pktinfo info{};
  std::memcpy(&info.ipi_spec_dst, a.address.bytes.data(), 4);  // source address; the route picks the way
  c->cmsg_level = IPPROTO_IP;
  c->cmsg_type = IP_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof info);
  std::memcpy(CMSG_DATA(c), &info, sizeof info);
  return m.msg_controllen = CMSG_SPACE(sizeof info);
}

}  // namespace

struct Listeners::Tcp {
  std::size_t index;
  tcp::acceptor acceptor;
};

struct Listeners::Udp {
  std::size_t index;
  std::uint16_t port;
  udp::socket socket;
};

struct Listeners::Connection {
  std::size_t listener;
  tcp::socket socket;
  flow::TokenBytes buffer{};
};

Listeners::Listeners(asio::any_io_executor executor, std::uint64_t batch_tag)
    : executor_(std::move(executor)), tag_(batch_tag) {}
Listeners::~Listeners() = default;

Result<void> Listeners::serve(std::size_t index, const ListenerSpec& spec, UniqueFd fd) {
  error_code ec;
  const bool v6 = spec.family == Family::v6;
  if (spec.kind == ProbeKind::tcp) {
    auto& t = *tcp_.emplace_back(std::make_unique<Tcp>(Tcp{index, tcp::acceptor(executor_)}));
    t.acceptor.assign(v6 ? tcp::v6() : tcp::v4(), fd.get(), ec);
    if (ec) return Error{"adopting a TCP listener: " + ec.message(), ec.value(), ErrorKind::internal};
    fd.release();
    accept_next(t);
  } else {
    auto& u = *udp_.emplace_back(std::make_unique<Udp>(Udp{index, spec.port, udp::socket(executor_)}));
    u.socket.assign(v6 ? udp::v6() : udp::v4(), fd.get(), ec);
    if (ec) return Error{"adopting a UDP responder: " + ec.message(), ec.value(), ErrorKind::internal};
    fd.release();
    wait_datagrams(u);
  }
  return {};
}

void Listeners::stop() {
  stopped_ = true;
  error_code ignored;
  for (auto& t : tcp_) t->acceptor.close(ignored);
  for (auto& u : udp_) u->socket.close(ignored);
  for (auto& c : connections_) c->socket.close(ignored);
}

const Seen* Listeners::seen(const flow::Token& token) const {
  auto it = seen_.find(token.slot());
  return it == seen_.end() ? nullptr : &it->second;
}

void Listeners::record(const flow::Token& token, Seen seen) { seen_.try_emplace(token.slot(), std::move(seen)); }

// --- TCP -------------------------------------------------------------------------------------

void Listeners::accept_next(Tcp& t) {
  t.acceptor.async_accept([this, &t](const error_code& ec, tcp::socket socket) {
    if (stopped_ || ec == asio::error::operation_aborted) return;
    if (!ec) {
      auto& c = *connections_.emplace_back(std::make_unique<Connection>(Connection{t.index, std::move(socket)}));
      serve_connection(c);
    }
    accept_next(t);  // after an error too (EMFILE ends one connection, not the listener)
  });
}

/// Reads the token, records who sent it and where it arrived, and echoes it.
void Listeners::serve_connection(Connection& c) {
  asio::async_read(c.socket, asio::buffer(c.buffer), [this, &c](const error_code& ec, std::size_t) {
    if (stopped_ || ec) return;
    const auto token = flow::decode(c.buffer);
    if (!token || token->batch != tag_) return;
    error_code e1, e2;
    const auto peer = endpoint_of(c.socket.remote_endpoint(e1));
    const auto local = endpoint_of(c.socket.local_endpoint(e2));
    if (!e1 && !e2 && peer && local) record(*token, Seen{c.listener, peer->address, peer->port, local->address, local->port});
    asio::async_write(c.socket, asio::buffer(c.buffer), [](const error_code&, std::size_t) {});
  });
}

// --- UDP -------------------------------------------------------------------------------------

void Listeners::wait_datagrams(Udp& u) {
  u.socket.async_wait(udp::socket::wait_read, [this, &u](const error_code& ec) {
    if (stopped_ || ec == asio::error::operation_aborted) return;
    answer_datagrams(u);
  });
}

/// Echoes every waiting datagram that carries this batch's token, from the address it came to.
void Listeners::answer_datagrams(Udp& u) {
  std::array<std::uint8_t, 2048> data{};
  alignas(cmsghdr) std::array<std::uint8_t, 256> control{};
  int answered = 0;
  for (; answered < k_datagrams_per_turn; ++answered) {
    sockaddr_storage from{};
    iovec iov{data.data(), data.size()};
    msghdr m{};
    m.msg_name = &from;
    m.msg_namelen = sizeof from;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = control.data();
    m.msg_controllen = control.size();
    const ssize_t n = ::recvmsg(u.socket.native_handle(), &m, MSG_DONTWAIT);
    if (n < 0) break;  // EAGAIN: all read
    const auto token = flow::decode(std::span<const std::uint8_t>(data.data(), static_cast<std::size_t>(n)));
    const auto peer = flow::from_sockaddr(from);
    const auto arrival = arrival_of(m);
    if (!token || token->batch != tag_ || !peer || !arrival) continue;
    record(*token, Seen{u.index, peer->address, peer->port, arrival->address, u.port});
    msghdr reply{};
    reply.msg_name = &from;
    reply.msg_namelen = m.msg_namelen;
    iov.iov_len = static_cast<std::size_t>(n);
    reply.msg_iov = &iov;
    reply.msg_iovlen = 1;
    alignas(cmsghdr) std::array<std::uint8_t, 64> room{};
    put_source(room, reply, *arrival);
    (void)::sendmsg(u.socket.native_handle(), &reply, MSG_DONTWAIT);  // a lost echo is a timeout, as on the wire
  }
  if (answered == k_datagrams_per_turn)
    asio::post(executor_, [this, &u] {
      if (!stopped_) answer_datagrams(u);
    });
  else
    wait_datagrams(u);
}

}  // namespace nscheck::probes
