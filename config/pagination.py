"""API pagination: pages of 50 by default, `page_size` up to 1000, `page_size=all` for everything."""

from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

ALL_PAGE_SIZE = 100_000


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request: Request) -> int:
        if request.query_params.get(self.page_size_query_param) == "all":
            return ALL_PAGE_SIZE  # catalogue-sized collections in one page
        return super().get_page_size(request) or self.page_size
