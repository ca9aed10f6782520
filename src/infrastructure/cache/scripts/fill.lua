--[[
fill: compare-and-set of one statement cache entry.

KEYS[1]  the statement key, prefix included                (the only key touched)
ARGV[1]  envelope format version of the new value           e.g. "1"
ARGV[2]  epoch of the new value     decimal, no leading zero e.g. "3"
ARGV[3]  version of the new value   decimal, no leading zero e.g. "42"
ARGV[4]  as-of date of the new value YYYY-MM-DD
ARGV[5]  the new value: envelope header line, "\n", payload
ARGV[6]  TTL in seconds

Atomic contract: SET KEYS[1] ARGV[5] EX ARGV[6] if and only if KEYS[1]
  - is absent, or holds another type than a string, or
  - holds a value whose first line (within the first 1024 bytes) is not a JSON
    header of format ARGV[1] with a well-formed stamp and a known encoding
    ("json" or "gzip+json", as in envelope.ts): another release, unparseable,
    foreign — what `get` treats as absent, or
  - holds a stamp strictly older than (ARGV[2], ARGV[3], ARGV[4]), stamps being
    ordered by epoch, then version, then as-of date.
Otherwise (an equal or newer stamp) the value and its TTL stay as they are.
Returns 1 when it stored, 0 when it kept the existing entry.

Epoch and version are compared as decimal strings, by length then byte by
byte: Lua numbers are doubles and would round counters past 2^53. Only the
first bytes of the existing value are read (GETRANGE), never the payload.
]]

local function decimal(s)
  return type(s) == 'string' and (s == '0' or string.match(s, '^[1-9]%d*$') ~= nil)
end

local function date(s)
  return type(s) == 'string' and string.match(s, '^%d%d%d%d%-%d%d%-%d%d$') ~= nil
end

-- -1, 0 or 1 as a is shorter/smaller, equal, longer/larger (bytes, no locale).
local function compare(a, b)
  if #a ~= #b then
    if #a < #b then return -1 end
    return 1
  end
  for i = 1, #a do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then
      if x < y then return -1 end
      return 1
    end
  end
  return 0
end

local encodings = { ['json'] = true, ['gzip+json'] = true }

local function store()
  redis.call('SET', KEYS[1], ARGV[5], 'EX', ARGV[6])
  return 1
end

local head = redis.pcall('GETRANGE', KEYS[1], 0, 1023)
if type(head) ~= 'string' or head == '' then
  -- absent (GETRANGE answers ""), or not a string (WRONGTYPE error table)
  return store()
end

local line_end = string.find(head, '\n', 1, true)
if not line_end then return store() end

local ok, header = pcall(cjson.decode, string.sub(head, 1, line_end - 1))
if not ok or type(header) ~= 'table' or header.format ~= tonumber(ARGV[1])
  or not decimal(header.epoch) or not decimal(header.version) or not date(header.asOf)
  or not encodings[header.encoding] then
  return store()
end

local order = compare(header.epoch, ARGV[2])
if order == 0 then order = compare(header.version, ARGV[3]) end
if order == 0 then order = compare(header.asOf, ARGV[4]) end
if order < 0 then return store() end
return 0
