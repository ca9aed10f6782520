--[[
release-lease: deletes a lease only while it is still ours.

KEYS[1]  the lease key, prefix included (the only key touched)
ARGV[1]  the token the lease was acquired with

Atomic contract: DEL KEYS[1] if and only if its value equals ARGV[1]; a lease
that expired and was taken by another holder is left alone. Returns 1 when it
deleted, 0 otherwise. (Acquiring is a plain SET KEYS[1] token NX PX ttl.)
]]

if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
