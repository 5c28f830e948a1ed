"""Import every module that registers handlers, so the registries are full before routing."""

from mockserver.apis import installer as installer
from mockserver.apis import robaws as robaws
from mockserver.apis import robosize as robosize
from mockserver.apis import salesdesk as salesdesk
from mockserver.auth import oauth2 as oauth2
