/*
 * The probe servers in one process: every TCP connection and every UDP datagram on the given ports
 * is answered with one line, the address the request came from (where NAT shows). One process and
 * no fork per request, so a burst of a thousand requests on a machine whose CPUs are busy is
 * answered within the probes' own waits (socat forked a child and a shell per request).
 *
 *   probe-server TCP_PORT UDP_PORT [LABEL]    (LABEL only marks the process for whoever stops it)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Dual-stack where the namespace has IPv6, IPv4 otherwise. */
static int open_socket(int type, int port) {
  int one = 1, zero = 0;
  int fd = socket(AF_INET6, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_any};
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0) return fd;
    close(fd);
  }
  fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* The peer's address as a line; an IPv4 peer on a dual-stack socket is written as IPv4. */
static int format_peer(const struct sockaddr_storage *peer, char *out, size_t size) {
  char text[INET6_ADDRSTRLEN] = "";
  if (peer->ss_family == AF_INET) {
    inet_ntop(AF_INET, &((const struct sockaddr_in *)peer)->sin_addr, text, sizeof text);
  } else {
    const struct in6_addr *a6 = &((const struct sockaddr_in6 *)peer)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(a6)) inet_ntop(AF_INET, &a6->s6_addr[12], text, sizeof text);
    else inet_ntop(AF_INET6, a6, text, sizeof text);
  }
  return snprintf(out, size, "%s\n", text);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s TCP_PORT UDP_PORT [LABEL]\n", argv[0]);
    return 2;
  }
  int tcp = open_socket(SOCK_STREAM, atoi(argv[1]));
  int udp = open_socket(SOCK_DGRAM, atoi(argv[2]));
  if (tcp < 0 || udp < 0 || listen(tcp, 4096) != 0) {
    perror("probe-server: cannot listen");
    return 1;
  }
  /* a burst of datagrams waits in the socket while earlier ones are answered */
  int buffer = 4 << 20;
  setsockopt(udp, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = tcp};
  epoll_ctl(ep, EPOLL_CTL_ADD, tcp, &ev);
  ev.data.fd = udp;
  epoll_ctl(ep, EPOLL_CTL_ADD, udp, &ev);
  char line[INET6_ADDRSTRLEN + 2], drain[512];
  for (;;) {
    struct epoll_event ready[2];
    int n = epoll_wait(ep, ready, 2, -1);
    if (n < 0 && errno != EINTR) return 1;
    for (int i = 0; i < n; i++) {
      struct sockaddr_storage peer;
      socklen_t len = sizeof peer;
      if (ready[i].data.fd == tcp) {
        int c;
        while ((c = accept4(tcp, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC)) >= 0) {
          int k = format_peer(&peer, line, sizeof line);
          /* the probe sends nothing; what a client did send is read, so closing sends FIN, not RST */
          while (recv(c, drain, sizeof drain, MSG_DONTWAIT) > 0) {}
          if (write(c, line, k) < 0) {}
          shutdown(c, SHUT_WR);
          close(c);
          len = sizeof peer;
        }
      } else {
        ssize_t got;
        while ((got = recvfrom(udp, drain, sizeof drain, MSG_DONTWAIT, (struct sockaddr *)&peer, &len)) >= 0) {
          int k = format_peer(&peer, line, sizeof line);
          sendto(udp, line, k, 0, (struct sockaddr *)&peer, len);
          len = sizeof peer;
        }
      }
    }
  }
}
